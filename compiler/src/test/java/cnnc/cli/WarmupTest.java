package cnnc.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import java.io.StringReader;
import org.codehaus.janino.SimpleCompiler;
import org.junit.jupiter.api.Test;

/** The warm-up class compiles (a failure would be swallowed, and the head start lost without a word); surefire runs with the Vector API module. */
class WarmupTest {

    @Test
    void theWarmupSourceCompilesWithAndWithoutTheVectorApi() {
        for (boolean vector : new boolean[] {false, true}) {
            String source = Warmup.source(vector);
            assertDoesNotThrow(() -> new SimpleCompiler().cook("Warmup.java", new StringReader(source)), source);
        }
    }
}
