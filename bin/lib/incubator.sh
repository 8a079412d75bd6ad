# Sourced by bin/cnnc. A JVM started with --add-modules=jdk.incubator.vector (the Vector API
# kernels) first prints "WARNING: Using incubator modules: jdk.incubator.vector" on stderr, from
# the module system at boot: no JVM flag turns it off, and defining the module later in a layer
# of our own would lose the JIT's trust in its classes (and so their speed). So the scripts drop
# exactly that line, and only as the first line of stderr; every other byte passes as it comes
# (progress redrawn with '\r' included), and the exit status is the JVM's.

INCUBATOR_WARNING="WARNING: Using incubator modules: jdk.incubator.vector"

# without_incubator_warning CMD [ARGS...]: runs CMD with the warning dropped from its stderr.
without_incubator_warning() {
    local rc=0
    "$@" 2> >(drop_incubator_warning >&2) || rc=$?
    # let the filter write its last bytes before the shell prompt returns
    wait "$!" 2>/dev/null || true
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
