package cnnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@org.junit.jupiter.api.Timeout(120)
class BenchCommandTest {

    @TempDir
    Path dir;

    @Test
    void printsTheFiveKeysLastWithPositiveValues() throws IOException {
        Path model = dir.resolve("tiny.cnn");
        Files.writeString(model, TrainCommandTest.TINY.formatted("0.05"));
        Cli b = Cli.run("bench", model.toString(), "--threads", "2", "--time", "0.05", "--max-warmup", "2");
        assertEquals(0, b.code(), b::toString);
        List<String> lines = b.out().lines().toList();
        List<String> keys = List.of("train_images_per_s", "infer_batch1_latency_us", "infer_batch256_images_per_s", "compile_ms",
                "peak_heap_mb");
        List<String> last = lines.subList(lines.size() - keys.size(), lines.size());
        for (int i = 0; i < keys.size(); i++) {
            String[] kv = last.get(i).split(" ");
            assertEquals(2, kv.length, last.get(i));
            assertEquals(keys.get(i), kv[0], b::toString);
            assertTrue(Double.parseDouble(kv[1]) > 0, last.get(i));
        }
    }
}
