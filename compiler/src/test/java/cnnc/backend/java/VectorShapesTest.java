package cnnc.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.ir.Model;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Vector API code keeps to the three rules that keep C2 from boxing its vectors
 * (docs/performance.md, "Stop 18"), on every sample and every model of the zoo (MethodSizeTest's models):
 * <ul>
 *   <li>one shape per element type: {@code FloatVector.SPECIES_256}, {@code DoubleVector.SPECIES_256} and
 *       {@code IntVector.SPECIES_256} (max pooling's paths).
 *       The JDK's Vector API methods are shared by every class in the JVM; once one of them has run on a
 *       second {@code FloatVector} class (bn's 128-bit loads did, until stop 17), its call sites' profiles
 *       are bimorphic, and C2 compiles a later kernel's loop-carried accumulators with a dispatch on both
 *       classes that keeps their boxes: WinogradTest's model then allocated 21 MB a step after BnWideSumsTest
 *       and the others had run in the same JVM;</li>
 *   <li>no masks: a mask held in a local has no exact class for C2, so its methods ({@code and},
 *       {@code anyTrue}) stay virtual calls, and a masked load passes its mask to them;</li>
 *   <li>no method of the class takes or returns a vector: C2 may leave such a helper out of line in a
 *       large method (NodeCountInliningCutoff: bn's {@code wide(v)} until stop 17), and every vector
 *       passed to it is then a heap object.</li>
 * </ul>
 */
@org.junit.jupiter.api.Timeout(120)
class VectorShapesTest {

    private static final Pattern SPECIES = Pattern.compile("\\b(\\w+Vector)\\.(SPECIES_\\w+)");
    /** A method declaration (its modifiers, return type, name and parameters). */
    private static final Pattern METHOD = Pattern.compile("(?m)^\\s*(?:(?:private|public|static|final)\\s+)+([\\w.<>]+)\\s+(\\w+)\\s*\\(([^)]*)\\)\\s*\\{");
    private static final Pattern VECTOR_TYPE = Pattern.compile("\\b(\\w*Vector|VectorMask)\\b");

    @ParameterizedTest(name = "{0}")
    @MethodSource("cnnc.backend.java.MethodSizeTest#models")
    void oneShapeNoMasksNoVectorHelpers(String name, Model m) {
        String src = JavaBackend.generate(m, "cnnc.generated", true).text();
        assertTrue(src.contains("FloatVector.fromArray"), name + ": no vector kernel");
        Set<String> species = new TreeSet<>();
        Matcher s = SPECIES.matcher(src);
        while (s.find()) {
            species.add(s.group(1) + "." + s.group(2));
        }
        species.removeAll(Set.of("FloatVector.SPECIES_256", "DoubleVector.SPECIES_256", "IntVector.SPECIES_256"));
        assertEquals(Set.of(), species, name + ": a second vector shape");
        assertFalse(src.contains("VectorMask") || src.contains("indexInRange"), name + ": a mask held in a local");
        Matcher d = METHOD.matcher(src);
        int methods = 0;
        while (d.find()) {
            methods++;
            assertFalse(VECTOR_TYPE.matcher(d.group(1)).find(), name + ": " + d.group(2) + " returns a vector");
            assertFalse(VECTOR_TYPE.matcher(d.group(3)).find(), name + ": " + d.group(2) + " takes a vector (" + d.group(3) + ")");
        }
        assertTrue(methods > 10, name + ": only " + methods + " method declarations found");
    }
}
