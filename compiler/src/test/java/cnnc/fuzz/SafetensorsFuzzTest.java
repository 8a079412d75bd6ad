package cnnc.fuzz;

import cnnc.runtime.io.Safetensors;
import cnnc.runtime.io.SafetensorsException;
import cnnc.runtime.io.Tensor;
import cnnc.runtime.io.TensorFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;

/** Any bytes to {@link Safetensors#read}: tensors, or a SafetensorsException naming the file. */
@Timeout(30)
class SafetensorsFuzzTest {

    @FuzzTest(maxDuration = "2m")
    void read(byte[] data) throws Exception {
        Path file = Fuzz.file(data, ".safetensors");
        Fuzz.rejectsCleanly(SafetensorsException.class, file.toString(), () -> {
            TensorFile f = Safetensors.read(file);
            for (String name : f.names()) {
                Tensor t = f.get(name);
                long n = 1;
                for (int d : t.shape()) {
                    n *= d;
                }
                if (n != t.size()) {
                    throw new AssertionError(name + ": shape of " + n + " elements holds " + t.size());
                }
            }
        });
    }
}
