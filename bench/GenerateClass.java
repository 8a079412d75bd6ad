import cnnc.backend.java.JavaBackend;
import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.ir.Model;
import cnnc.passes.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the Vector API training class of a .cnn file (its train block's batch) as the build on the
 * class path generates it, for {@code bench/alternate-builds.sh}: the class name on the first line,
 * then the source. {@code -Dprofiled=true}: the profiled variant (every phase its own timed unit).
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp compiler/target/cnnc.jar bench/GenerateClass.java MODEL.cnn PACKAGE OUT
 * </pre>
 */
public final class GenerateClass {

    public static void main(String[] args) throws Exception {
        Path p = Path.of(args[0]);
        Model m = Pipeline.compile(SourceFile.of(p.toString(), Files.readString(p)), Options.defaults());
        JavaBackend.Source s = Boolean.getBoolean("profiled") ? JavaBackend.generateProfiled(m, args[1], true)
                : JavaBackend.generate(m, args[1], true);
        Files.writeString(Path.of(args[2]), s.className() + "\n" + s.text());
    }
}
