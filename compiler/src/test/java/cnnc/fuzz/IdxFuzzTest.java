package cnnc.fuzz;

import cnnc.runtime.data.Idx;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Timeout;

/** Any bytes to {@link Idx#read} (gzipped or not): an array, or an IOException naming the file. */
@Timeout(30)
class IdxFuzzTest {

    @FuzzTest(maxDuration = "2m")
    void read(byte[] data) throws Exception {
        Path file = Fuzz.file(data, ".idx");
        Fuzz.rejectsCleanly(IOException.class, file.toString(), () -> {
            Idx.Array a = Idx.read(file);
            long n = Arrays.stream(a.dims()).asLongStream().reduce(1, (x, y) -> x * y);
            if (n != a.data().length) {
                throw new AssertionError("dims " + Arrays.toString(a.dims()) + " but " + a.data().length + " bytes");
            }
        });
    }
}
