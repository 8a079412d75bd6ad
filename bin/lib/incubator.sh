# Sourced by bin/cnnc. A JVM started with --add-modules=jdk.incubator.vector (the Vector API
# kernels) first prints "WARNING: Using incubator modules: jdk.incubator.vector" on stderr, from
# the module system at boot: no JVM flag turns it off, and defining the module later in a layer
# of our own would lose the JIT's trust in its classes (and so their speed). So the scripts drop
# exactly that line, and only among the first two lines of stderr; every other byte passes as it
# comes (progress redrawn with '\r' included), and the exit status is the JVM's. The other line
# dropped there is HotSpot's "1 compiler directives added", which bin/cnnc's compiler directives
# (bin/lib/jit-directives.json) print at boot, moved from stdout by -XX:+DisplayVMOutputToStderr.

INCUBATOR_WARNING="WARNING: Using incubator modules: jdk.incubator.vector"
DIRECTIVES_ADDED="1 compiler directives added"

# without_incubator_warning CMD [ARGS...]: runs CMD with the warning dropped from its stderr.
without_incubator_warning() {
    local rc
    # stdout to the terminal as it was (fd 3), stderr through the filter; both finish before we return
    { "$@" 2>&1 1>&3 3>&- | drop_incubator_warning >&2; rc=${PIPESTATUS[0]}; } 3>&1
    return "$rc"
}

# stdin to stdout, but for the boot lines above among the first two (the directives' comes first)
drop_incubator_warning() {
    local line i
    for i in 1 2; do
        if IFS= read -r line; then
            case "$line" in
                "$INCUBATOR_WARNING") break ;;
                "$DIRECTIVES_ADDED") ;;
                *) printf '%s\n' "$line"; break ;;
            esac
        else
            printf '%s' "$line"  # no newline before the end: a partial line, kept as it is
            break
        fi
    done
    exec cat
}
