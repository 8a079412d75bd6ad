package cnnc.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;

/** Each mistake a user can make in the POM or the models fails the build with one message naming the file and the fix. */
@org.junit.jupiter.api.Timeout(300)
class BadInputTest extends MojoFixture {

    String failure(GenerateMojo m) {
        String msg = assertThrows(MojoFailureException.class, m::execute).getMessage();
        assertFalse(Files.exists(dir.resolve("target/generated-sources/cnnc/com")), "nothing is generated: " + msg);
        return msg;
    }

    @Test
    void missingPackageName() throws Exception {
        model("tiny.cnn", TINY);
        GenerateMojo m = mojo("inference");
        m.packageName = null;
        assertEquals("cnnc: pom.xml: the cnnc-maven-plugin has no <packageName>: add the Java package of the generated classes"
                + " to its <configuration>, like <packageName>com.example.nets</packageName>", failure(m));
    }

    @Test
    void aDanglingLinkInTheModelDirectory() throws Exception {
        model("tiny.cnn", TINY);
        Files.createSymbolicLink(dir.resolve("src/main/cnn/gone.cnn"), Path.of("moved/gone.cnn"));
        assertEquals("cnnc: cannot read the model src/main/cnn/gone.cnn: it is a link to moved/gone.cnn, which does not exist;"
                + " make it a readable .cnn file or remove it from src/main/cnn", failure(mojo("inference")));
    }

    @Test
    void aListedModelThatIsNotThere() throws Exception {
        GenerateMojo m = mojo("inference");
        m.models = List.of(new File(dir.resolve("../models/lenet.cnn").toString()));
        String msg = failure(m);
        assertTrue(msg.startsWith("cnnc: cannot read the model ../models/lenet.cnn: it does not exist; correct or remove its <model> entry"), msg);
    }

    @Test
    void aBinaryModel() throws Exception {
        Files.createDirectories(dir.resolve("src/main/cnn"));
        Files.write(dir.resolve("src/main/cnn/weights.cnn"), new byte[] {1, 2, 0, 3});
        String msg = failure(mojo("inference"));
        assertTrue(msg.contains("src/main/cnn/weights.cnn:1:1: error: not a .cnn text file: it holds a NUL byte at offset 2"), msg);
    }

    @Test
    void twoModelsMakingOneClass() throws Exception {
        model("a.cnn", TINY);
        model("b/tiny.cnn", TINY.replace("conv(x, 2,", "conv(x, 4,"));
        assertEquals("cnnc: src/main/cnn/b/tiny.cnn and src/main/cnn/a.cnn both define a network that becomes"
                + " com.example.nets.Tiny_T1: rename one of them (network NAME { ... }), or generate them in separate"
                + " executions with different <packageName>s", failure(mojo("inference")));
    }

    @Test
    void theTrainingVariantOfAModelThatCanOnlyClassify() throws Exception {
        // bn per element at batch 1 has no batch variance; the inference variant normalizes with running statistics.
        model("bn.cnn", TINY.replace("p = maxpool(c,", "n = bn(c);\n    p = maxpool(n,"));
        String msg = failure(mojo("training"));
        assertTrue(msg.contains("src/main/cnn/bn.cnn:5:"), msg);
        assertTrue(msg.contains("the batch variance is undefined in training"), msg);
        assertTrue(msg.endsWith("note: src/main/cnn/bn.cnn compiles in the inference variant; these errors come from"
                + " <variant>training</variant> at <batch>1</batch>: set <variant>inference</variant> to classify only, or keep"
                + " training and change the model or <batch> as the errors say"), msg);
        mojo("inference").execute();
    }

    @Test
    void aModelWithoutLossInTheTrainingVariant() throws Exception {
        model("noloss.cnn", TINY.replace("    loss cross_entropy(y, z);\n", ""));
        String msg = failure(mojo("training"));
        assertTrue(msg.contains("src/main/cnn/noloss.cnn:1:9: error: network 'tiny' has no loss, so it cannot be trained"), msg);
        assertTrue(msg.contains("note: src/main/cnn/noloss.cnn compiles in the inference variant"), msg);
    }

    @Test
    void aModelWrongInBothVariantsGetsNoNote() throws Exception {
        model("bad.cnn", TINY.replace("f = full(p, 3);", "f = full(q, 3);"));
        String msg = failure(mojo("training"));
        assertFalse(msg.contains("note:"), msg);
    }
}
