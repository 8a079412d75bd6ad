package cnnc.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.runtime.Network;
import org.junit.jupiter.api.Test;

/** .cnn names that are Java keywords or names of generated members compile and run (see {@link Names}). */
@org.junit.jupiter.api.Timeout(30)
class KeywordNamesTest {

    static final String TEXT = """
            network class {
                input class : 1x6x6;
                target int : 3;
                _ = conv(class, 2, kernel: 3x3);
                forward = relu(_);
                this = maxpool(forward, window: 2x2);
                chunk = bn(this, per: channel);
                pool = full(chunk, 3);
                dot = full(forward, 3);
                specs = add(pool, dot);
                y = softmax(specs);
                loss cross_entropy(y, int);
            }
            """;

    @Test
    void keywordsAndMemberNames() {
        JaninoLoader.Compiled c = Models.compile(Models.model("keywords.cnn", TEXT, 2));
        assertEquals("Class_T2", c.type().getSimpleName());
        assertTrue(c.source().text().contains("private final float[] class_ = new float[72];"), "field for 'class'");
        assertTrue(c.source().text().contains("private final float[] __ = new float[144];"), "field for '_'");
        Network net = c.instantiate();
        assertEquals("class", net.inputName());
        assertEquals("int", net.targetName());
        Models.fill(net, 3);
        net.forward();
        net.backward();
        assertTrue(Float.isFinite(net.loss()) && net.loss() > 0);
        assertEquals(72, net.tensor("class").length);
        assertTrue(net.tensor("grad.forward").length == 144 && net.tensor("grad._.weight").length == 18);
        assertEquals(36, net.path("path.this").length);
    }

    @Test
    void mangling() {
        assertEquals("class_", Names.field("class"));
        assertEquals("c1$weight_", Names.field("c1.weight"));
        assertEquals("grad$x$$c2_", Names.field("grad.x~c2"));
        assertEquals("grad$x$$c2$1_", Names.field("grad.x~c2.1"));
        assertEquals("Lenet5_T64", Names.className("lenet5", 64));
    }
}
