package cnnc.fuzz;

import cnnc.diag.CompileError;
import cnnc.diag.Diagnostic;
import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.inspect.TextDump;
import cnnc.ir.Model;
import cnnc.passes.Pipeline;
import cnnc.syntax.Parser;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

/**
 * Any bytes as a .cnn file through the parser, the checker and autodiff (every pass, training
 * mode): a model whose dumps render, or diagnostics that each point into the file. Never another
 * exception, never a hang (the per-input timeout while fuzzing, the class timeout here).
 */
@Timeout(30)
class SourceFuzzTest {

    @FuzzTest(maxDuration = "2m")
    void compile(byte[] data) {
        SourceFile source;
        try {
            source = Parser.decode("fuzz.cnn", data);
        } catch (CompileError e) {
            checkDiagnostics(e, null);
            return;
        }
        for (int batch : new int[] {1, 3}) {
            try {
                Model m = Pipeline.compile(source, Options.defaults().withBatch(batch));
                TextDump.render(m, true);
            } catch (CompileError e) {
                checkDiagnostics(e, source);
            }
        }
    }

    /** Every diagnostic renders, has a message, and (but for whole-file errors) lies inside the file. */
    static void checkDiagnostics(CompileError e, SourceFile source) {
        if (e.diagnostics().isEmpty()) {
            throw new AssertionError("a CompileError without diagnostics", e);
        }
        e.render();
        for (Diagnostic d : e.diagnostics()) {
            if (d.message() == null || d.message().isBlank()) {
                throw new AssertionError("a diagnostic without a message at " + d.pos(), e);
            }
            if (source != null && d.pos().known() && (d.pos().line() > source.lines().size() + 1 || d.pos().column() < 1)) {
                throw new AssertionError("a diagnostic outside the file: " + d.render(), e);
            }
        }
    }
}
