package cnnc.fuzz;

import cnnc.runtime.data.Cifar;
import cnnc.runtime.data.Dataset;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;

/**
 * Any bytes to {@link Cifar#read}: as the batch files of a CIFAR-10 folder ({@link #batch}), and as
 * the distributed tar file, gzipped or not ({@link #archive}). Datasets of whole records with labels
 * below the classes, or an IOException naming the folder or file.
 */
@Timeout(30)
class CifarFuzzTest {

    private static Path folder;

    @FuzzTest(maxDuration = "2m")
    void batch(byte[] data) throws Exception {
        Path dir = folder(data);
        Fuzz.rejectsCleanly(IOException.class, dir.toString(), () -> {
            Cifar.Data d = Cifar.read(dir, true);
            int n = data.length / (1 + Cifar.PIXELS);
            if (d.train().size() != n || d.test().size() != n) {
                throw new AssertionError(data.length + " bytes gave " + d.train().size() + " and " + d.test().size() + " records");
            }
            check(d);
        });
    }

    @FuzzTest(maxDuration = "2m")
    void archive(byte[] data) throws Exception {
        Path file = Fuzz.file(data, ".tar.gz");
        Fuzz.rejectsCleanly(IOException.class, file.toString(), () -> check(Cifar.read(file, data.length % 2 == 0)));
    }

    /** A folder whose data_batch_1.bin and test_batch.bin both hold {@code data}. */
    private static synchronized Path folder(byte[] data) {
        try {
            if (folder == null) {
                folder = Files.createTempDirectory("cnnc-fuzz-cifar");
                folder.toFile().deleteOnExit();
                folder.resolve("data_batch_1.bin").toFile().deleteOnExit();
                folder.resolve("test_batch.bin").toFile().deleteOnExit();
            }
            Files.write(folder.resolve("data_batch_1.bin"), data);
            Files.write(folder.resolve("test_batch.bin"), data);
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void check(Cifar.Data d) {
        for (Dataset s : new Dataset[] {d.train(), d.test()}) {
            if (s.size() < 1 || s.pixels() != Cifar.PIXELS || s.classNames().size() != s.classes()) {
                throw new AssertionError(d.kind() + ": " + s.size() + " records of " + s.pixels() + " pixels, "
                        + s.classNames().size() + " names for " + s.classes() + " classes");
            }
            for (int i = 0; i < s.size(); i++) {
                if (s.label(i) < 0 || s.label(i) >= s.classes()) {
                    throw new AssertionError(d.kind() + ": label " + s.label(i) + " of " + s.classes() + " classes");
                }
            }
        }
    }
}
