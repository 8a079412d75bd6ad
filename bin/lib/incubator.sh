# Sourced by bin/cnnc. A JVM started with --add-modules=jdk.incubator.vector (the Vector API
# kernels) first prints "WARNING: Using incubator modules: jdk.incubator.vector" on stderr, from
# the module system at boot: no JVM flag turns it off, and defining the module later in a layer
# of our own would lose the JIT's trust in its classes (and so their speed). So the scripts drop
# exactly that line, and only as the first line of stderr; every other byte passes as it comes
# (progress redrawn with '\r' included), and the exit status is the JVM's.

INCUBATOR_WARNING="WARNING: Using incubator modules: jdk.incubator.vector"

# without_incubator_warning CMD [ARGS...]: runs CMD with the warning dropped from its stderr.
without_incubator_warning() {
    local rc
    # stdout to the terminal as it was (fd 3), stderr through the filter; both finish before we return
    { "$@" 2>&1 1>&3 3>&- | drop_incubator_warning >&2; rc=${PIPESTATUS[0]}; } 3>&1
    return "$rc"
}

# stdin to stdout, but for a first line equal to the warning
drop_incubator_warning() {
    local first
    if IFS= read -r first; then
        [ "$first" = "$INCUBATOR_WARNING" ] || printf '%s\n' "$first"
    else
        printf '%s' "$first"  # no newline before the end: a partial line, kept as it is
    fi
    exec cat
}
