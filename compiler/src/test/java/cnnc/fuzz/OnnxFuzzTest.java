package cnnc.fuzz;

import cnnc.diag.CompileError;
import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.onnx.Importer;
import cnnc.onnx.OnnxError;
import cnnc.passes.Pipeline;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;

/**
 * Any bytes as an {@code .onnx} file to {@link Importer#importFile}, as {@code cnnc import} runs it:
 * a {@code .cnn} text that compiles as a training model (as the command compiles it), or an OnnxError
 * naming the file. A text that does not compile is a finding, as it is for the command.
 */
@Timeout(30)
class OnnxFuzzTest {

    @FuzzTest(maxDuration = "2m")
    void importFile(byte[] data) throws Exception {
        Path file = Fuzz.file(data, ".onnx");
        Fuzz.rejectsCleanly(OnnxError.class, file.toString(), () -> {
            Importer.Result r = Importer.importFile(file, Importer.Settings.defaults());
            try {
                Pipeline.compile(SourceFile.of("imported.cnn", r.text()), Options.defaults().withTraining(true));
            } catch (CompileError e) {
                throw new AssertionError("the imported text does not compile:\n" + e.render() + r.text(), e);
            }
        });
    }
}
