package cnnc.diag;

import java.util.List;
import java.util.stream.Collectors;

/** A user's model is wrong: carries every diagnostic found. The command line prints them and exits 1. */
public final class CompileError extends RuntimeException {

    private final List<Diagnostic> diagnostics;

    public CompileError(List<Diagnostic> diagnostics) {
        super(diagnostics.isEmpty() ? "error" : diagnostics.get(0).pos() + ": " + diagnostics.get(0).message());
        this.diagnostics = List.copyOf(diagnostics);
    }

    public static CompileError at(Pos pos, String message, String expected) {
        return new CompileError(List.of(new Diagnostic(pos, message, expected)));
    }

    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }

    public String render() {
        String body = diagnostics.stream().map(Diagnostic::render).collect(Collectors.joining());
        int n = diagnostics.size();
        return body + n + (n == 1 ? " error" : " errors") + "\n";
    }
}
