package cnnc.runtime.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@org.junit.jupiter.api.Timeout(30)
class DataLocatorTest {

    static final String[] NAMES = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};

    @TempDir
    Path tmp;

    Path dataDir(String name) throws IOException {
        Path d = Files.createDirectories(tmp.resolve(name));
        for (String n : NAMES) {
            Files.write(d.resolve(n), new byte[0]);
        }
        return d;
    }

    @Test
    void prefersCnncDataThenTheSystemThenTheRepository() throws IOException {
        Path env = dataDir("env");
        Path debian = dataDir("debian");
        Path repo = tmp.resolve("repo");
        Files.createDirectories(repo.resolve("samples"));
        Files.move(dataDir("subset"), repo.resolve("samples/data"));
        List<Path> roots = List.of(tmp.resolve("elsewhere"), repo);

        assertEquals(env, DataLocator.locate("fashion-mnist", env.toString(), debian, roots).dir());
        assertEquals(debian, DataLocator.locate("fashion-mnist", null, debian, roots).dir());
        assertEquals(debian, DataLocator.locate("fashion-mnist", tmp.resolve("none").toString(), debian, roots).dir());
        assertEquals(repo.resolve("samples/data"),
                DataLocator.locate("fashion-mnist", null, tmp.resolve("no-debian"), roots).dir());
    }

    @Test
    void cnncDataMayHoldAFashionMnistSubdirectory() throws IOException {
        Path sub = dataDir("env/fashion-mnist");
        assertEquals(sub, DataLocator.locate("fashion-mnist", tmp.resolve("env").toString(), tmp, List.of()).dir());
    }

    @Test
    void acceptsPlainAndDottedNames() throws IOException {
        Path d = Files.createDirectories(tmp.resolve("kaggle"));
        Files.write(d.resolve("train-images.idx3-ubyte"), new byte[0]);
        Files.write(d.resolve("train-labels-idx1-ubyte"), new byte[0]);
        Files.write(d.resolve("t10k-images-idx3-ubyte.gz"), new byte[0]);
        Files.write(d.resolve("t10k-labels.idx1-ubyte.gz"), new byte[0]);
        DataFiles f = DataLocator.locate(d.toString(), null, tmp, List.of());
        assertEquals(d.resolve("train-images.idx3-ubyte"), f.trainImages());
        assertEquals(d.resolve("t10k-labels.idx1-ubyte.gz"), f.testLabels());
    }

    @Test
    void explainsWhereItLooked() throws IOException {
        Path partial = Files.createDirectories(tmp.resolve("partial"));
        Files.write(partial.resolve(NAMES[0]), new byte[0]);
        IOException e = assertThrows(IOException.class,
                () -> DataLocator.locate("fashion-mnist", null, partial, List.of(tmp)));
        assertEquals("Fashion-MNIST not found: $CNNC_DATA is not set; " + partial
                + " has no train-labels-idx1-ubyte[.gz]. Install the Debian package dataset-fashion-mnist, set"
                + " CNNC_DATA, or pass --data DIR (a directory with the four IDX files).", e.getMessage());
        IOException d = assertThrows(IOException.class,
                () -> DataLocator.locate(tmp.resolve("nodir").toString(), null, partial, List.of()));
        assertEquals("--data " + tmp.resolve("nodir") + ": " + tmp.resolve("nodir") + " is not a directory",
                d.getMessage());
    }

    /** Reads label 0 straight from the gzipped IDX bytes, independently of Idx and Dataset. */
    static int firstLabel(Path labels) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(labels))) {
            byte[] b = in.readNBytes(9);
            return b[8] & 0xFF;
        }
    }

    @Test
    void theRepositorySubsetLoads() throws IOException {
        String root = System.getProperty("cnnc.root");
        assumeTrue(root != null, "run by Maven, which sets cnnc.root");
        DataFiles f = DataLocator.locate("fashion-mnist", null, tmp.resolve("none"), List.of(Paths.get(root)));
        Dataset train = f.train(10);
        Dataset test = f.test(10);
        assertEquals(2000, train.size());
        assertEquals(500, test.size());
        assertEquals(28, train.height());
        assertEquals(28, train.width());
        assertEquals(firstLabel(f.trainLabels()), train.label(0));
        assertEquals(9, train.label(0)); // Fashion-MNIST's first training image is an ankle boot
        int[] perClass = new int[10];
        for (int i = 0; i < train.size(); i++) {
            perClass[train.label(i)]++;
        }
        for (int c : perClass) {
            assertTrue(c > 150, "every class is present: " + java.util.Arrays.toString(perClass));
        }
    }

    @Test
    void theDebianDataSetLoadsWhenInstalled() throws IOException {
        assumeTrue(Files.isDirectory(DataLocator.DEBIAN_DIR), "dataset-fashion-mnist is not installed");
        DataFiles f = DataLocator.locate("fashion-mnist", null, DataLocator.DEBIAN_DIR, List.of());
        Dataset test = f.test(10);
        assertEquals(10000, test.size());
        assertEquals(784, test.pixels());
        assertEquals(firstLabel(f.testLabels()), test.label(0));
    }
}
