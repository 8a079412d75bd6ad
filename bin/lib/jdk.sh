# Sourced by the scripts in bin/: sets JAVA_HOME to a JDK 21 or newer (the compiler is Java 21).
# Prefers $JAVA_HOME when it is new enough, then the newest JDK under /usr/lib/jvm, then `java` on PATH.

jdk_major() {  # prints the major version of the JDK at $1, or 0
    local v
    v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')
    echo "${v:-0}" | cut -d. -f1
}

find_jdk() {
    local best="" best_major=0 dir major
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && [ "$(jdk_major "$JAVA_HOME")" -ge 21 ]; then
        return 0
    fi
    for dir in /usr/lib/jvm/* /opt/java/* /opt/jdk*; do
        [ -x "$dir/bin/javac" ] || continue
        major=$(jdk_major "$dir")
        if [ "$major" -gt "$best_major" ]; then best="$dir"; best_major=$major; fi
    done
    if [ "$best_major" -lt 21 ] && command -v javac >/dev/null 2>&1; then
        dir=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
        major=$(jdk_major "$dir")
        if [ "$major" -gt "$best_major" ]; then best="$dir"; best_major=$major; fi
    fi
    if [ "$best_major" -lt 21 ]; then
        echo "cnnc needs a JDK 21 or newer (found ${best_major:-none})." >&2
        echo "Install one, e.g. 'apt-get install openjdk-21-jdk' or Temurin 21+, or set JAVA_HOME to it." >&2
        exit 1
    fi
    export JAVA_HOME="$best"
}

need_maven() {
    if ! command -v mvn >/dev/null 2>&1; then
        echo "cnnc is built with Apache Maven, which is not installed: apt-get install maven" >&2
        exit 1
    fi
}

# Prints -XX:+UseTransparentHugePages where the kernel offers transparent huge pages (enabled: always
# or madvise) and CNNC_HUGE_PAGES is not 0, else nothing. A network's buffers are hundreds of MB of
# fresh memory; on a VM each 4 KB page fault is slow, and 2 MB pages make allocating them several
# times faster (docs/performance.md, "Stop 17").
huge_pages_opt() {
    if [ "${CNNC_HUGE_PAGES:-1}" != 0 ] && grep -qE '\[(always|madvise)\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null; then
        echo "-XX:+UseTransparentHugePages"
    fi
}
