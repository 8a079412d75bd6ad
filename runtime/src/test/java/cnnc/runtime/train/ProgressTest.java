package cnnc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(30)
class ProgressTest {

    long now;

    @Test
    void plainOutputPrintsALineEveryTenthOfAnEpoch() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(b, true, StandardCharsets.UTF_8), false, () -> now);
        p.startEpoch(2, 5, 100);
        for (int s = 1; s <= 100; s++) {
            now += 10_000_000L; // 10 ms a step of 64 images: 6400 img/s
            p.step(s, 64, 0.5, 0.25);
        }
        String[] lines = b.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(10, lines.length);
        // after 10 steps: 0.1 s elapsed, 90 steps left at 10 ms = 0.9 s, rounded to 1 s
        assertEquals("epoch 2/5  step 10/100  loss 0.5000  acc 25.00%  6400 img/s  ETA 0:01", lines[0]);
        assertEquals("epoch 2/5  step 100/100  loss 0.5000  acc 25.00%  6400 img/s  ETA 0:00", lines[9]);
        assertTrue(!b.toString(StandardCharsets.UTF_8).contains("\r"));
    }

    @Test
    void plainOutputAlsoPrintsAfterThirtySeconds() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(b, true, StandardCharsets.UTF_8), false, () -> now);
        p.startEpoch(1, 1, 1000);
        now += 31_000_000_000L;
        p.step(1, 1, 1, 1); // 1/1000 of the epoch, but 31 s since the last line
        assertTrue(b.toString(StandardCharsets.UTF_8).startsWith("epoch 1/1  step 1/1000"));
    }

    @Test
    void terminalOutputRedrawsInPlaceAtMostEveryTenthOfASecond() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(b, true, StandardCharsets.UTF_8), true, () -> now);
        p.startEpoch(1, 1, 50);
        for (int s = 1; s <= 50; s++) {
            now += 30_000_000L; // 30 ms a step: a redraw every 4th step (120 ms), and the last
            p.step(s, 8, 1, 0.5);
        }
        p.message("done");
        String out = b.toString(StandardCharsets.UTF_8);
        assertEquals(13, out.chars().filter(c -> c == '\r').count() - 2); // 12 redraws + last, then clear: \r..\r
        assertTrue(out.endsWith("\rdone\n") || out.endsWith("\r" + "done" + System.lineSeparator()));
        assertTrue(!out.substring(0, out.indexOf("done")).contains("\n"));
    }

    @Test
    void clockTimes() {
        assertEquals("0:00", Progress.clockTime(0));
        assertEquals("1:05", Progress.clockTime(65));
        assertEquals("1:00:01", Progress.clockTime(3601));
    }
}
