package cnnc.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import cnnc.backend.java.JaninoLoader;
import cnnc.backend.java.JavaBackend;
import org.junit.jupiter.api.Test;

/** The warm-up class compiles (a failure would be swallowed, and the head start lost without a word); surefire runs with the Vector API module. */
@org.junit.jupiter.api.Timeout(30)
class WarmupTest {

    @Test
    void theWarmupSourceCompilesWithAndWithoutTheVectorApi() {
        for (boolean vector : new boolean[] {false, true}) {
            String source = Warmup.source(vector);
            assertDoesNotThrow(() -> JaninoLoader.compileOnly(new JavaBackend.Source("cnnc.warmup", "Warmup", source)), source);
        }
    }
}
