package cnnc.diag;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects every error of a file, so one run reports them all; sorted by position when read. */
public final class Diagnostics {

    private final List<Diagnostic> errors = new ArrayList<>();

    public void error(Pos pos, String message, String expected) {
        Diagnostic d = new Diagnostic(pos, message, expected == null ? "" : expected);
        if (!errors.contains(d)) {
            errors.add(d);
        }
    }

    public void error(Pos pos, String message) {
        error(pos, message, "");
    }

    public boolean hasErrors() {
        return !errors.isEmpty();
    }

    public List<Diagnostic> all() {
        return errors.stream()
                .sorted(Comparator.comparingInt((Diagnostic d) -> d.pos().line()).thenComparingInt(d -> d.pos().column()))
                .toList();
    }

    /** Throws {@link CompileError} when anything was reported. */
    public void throwIfAny() {
        if (hasErrors()) {
            throw new CompileError(all());
        }
    }
}
