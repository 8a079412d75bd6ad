package cnnc.cli;

import cnnc.inspect.DotDump;
import cnnc.ir.Model;
import cnnc.runtime.io.AtomicFiles;
import cnnc.runtime.train.EpochResult;
import cnnc.runtime.train.Evaluation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code cnnc train --report DIR}, rewritten after every epoch so that a run can be watched: {@code
 * curves.csv} (epoch, train loss and accuracy, test loss and accuracy, seconds), {@code loss.svg}
 * and {@code accuracy.svg} (the curves), {@code confusion.svg} (the test set's confusion matrix of
 * the latest epoch, and {@code confusion.txt}), the model graph ({@code model.dot}, and
 * {@code model.svg} when Graphviz's {@code dot} is on the PATH) and {@code index.html} showing them
 * together. Each file is written to a temporary file renamed into place.
 */
final class TrainingReport {

    /** Every file the report writes, for the check that none is an input. */
    static final String[] FILES = {"index.html", "curves.csv", "loss.svg", "accuracy.svg", "confusion.svg", "confusion.txt",
            "model.dot", "model.svg"};

    private final Path dir;
    private final Model model;
    private final List<String> classes;
    private final String testName;
    private final String title;
    private final List<EpochResult> epochs = new ArrayList<>();
    private boolean graph;

    TrainingReport(Path dir, Model model, List<String> classes, String testName, String title) {
        this.dir = dir;
        this.model = model;
        this.classes = classes;
        this.testName = testName;
        this.title = title;
    }

    Path dir() {
        return dir;
    }

    /** Adds an epoch and rewrites the report. */
    void epoch(EpochResult r) {
        epochs.add(r);
        try {
            Files.createDirectories(dir);
            if (!graph) {
                writeGraph();
                graph = true;
            }
            write("curves.csv", csv());
            write("loss.svg", Svg.lines("loss (mean cross-entropy)", epochs, true));
            write("accuracy.svg", Svg.lines("accuracy", epochs, false));
            Evaluation e = r.test();
            if (e != null && e.predictions() != null) {
                int[][] m = e.confusion(classes.size());
                write("confusion.svg", Svg.confusion(m, classes, "confusion matrix, " + testName + ", epoch " + r.epoch()));
                write("confusion.txt", ConfusionText.render(m, classes));
            }
            write("index.html", html());
        } catch (IOException e) {
            throw new UserError("cannot write the report into " + dir + ": " + e.getMessage());
        }
    }

    private String csv() {
        StringBuilder b = new StringBuilder("epoch,train_loss,train_accuracy,test_loss,test_accuracy,seconds\n");
        for (EpochResult r : epochs) {
            Evaluation e = r.test();
            b.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%s,%s,%.3f%n", r.epoch(), r.trainLoss(), r.trainAccuracy(),
                    e == null ? "" : String.format(Locale.ROOT, "%.6f", e.meanLoss()),
                    e == null ? "" : String.format(Locale.ROOT, "%.6f", e.accuracy()), r.seconds()));
        }
        return b.toString();
    }

    private void writeGraph() throws IOException {
        String dot = DotDump.render(model, false);
        write("model.dot", dot);
        Path svg = dir.resolve("model.svg");
        Path tmp = dir.resolve(".model.svg.tmp");
        try {
            Process p = new ProcessBuilder("dot", "-Tsvg", "-o", tmp.toString()).redirectErrorStream(true).start();
            p.getOutputStream().write(dot.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            p.getInputStream().readAllBytes();
            if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0 && Files.isRegularFile(tmp)) {
                Files.move(tmp, svg, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | InterruptedException e) {
            // no Graphviz: the page links model.dot instead
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private String html() {
        Evaluation last = epochs.get(epochs.size() - 1).test();
        boolean svg = Files.isRegularFile(dir.resolve("model.svg"));
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").append(esc(title)).append("</title>\n")
                .append("<style>body{font-family:sans-serif;margin:2em;color:#222} img{max-width:100%;border:1px solid #ddd;margin:4px}"
                        + " table{border-collapse:collapse} td,th{padding:2px 8px;text-align:right;border-bottom:1px solid #eee}"
                        + " .row{display:flex;flex-wrap:wrap;gap:1em}</style></head><body>\n");
        b.append("<h1>").append(esc(title)).append("</h1>\n<p>").append(epochs.size()).append(" epoch").append(epochs.size() == 1 ? "" : "s")
                .append(" so far");
        if (last != null) {
            b.append(String.format(Locale.ROOT, "; %s accuracy %.2f%% (%d/%d), loss %.4f", esc(testName), 100 * last.accuracy(),
                    last.correct(), last.count(), last.meanLoss()));
        }
        b.append(". Data: <a href=\"curves.csv\">curves.csv</a>.</p>\n");
        b.append("<div class=\"row\"><img src=\"loss.svg\" alt=\"loss per epoch\"><img src=\"accuracy.svg\" alt=\"accuracy per epoch\"></div>\n");
        if (Files.isRegularFile(dir.resolve("confusion.svg"))) {
            b.append("<h2>Confusion matrix</h2>\n<img src=\"confusion.svg\" alt=\"confusion matrix\"> (<a href=\"confusion.txt\">text</a>)\n");
        }
        b.append("<h2>Epochs</h2>\n<table><tr><th>epoch</th><th>train loss</th><th>train acc</th><th>test loss</th><th>test acc</th><th>s</th></tr>\n");
        for (EpochResult r : epochs) {
            Evaluation e = r.test();
            b.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%.4f</td><td>%.2f%%</td><td>%s</td><td>%s</td><td>%.1f</td></tr>%n",
                    r.epoch(), r.trainLoss(), 100 * r.trainAccuracy(), e == null ? "" : String.format(Locale.ROOT, "%.4f", e.meanLoss()),
                    e == null ? "" : String.format(Locale.ROOT, "%.2f%%", 100 * e.accuracy()), r.seconds()));
        }
        b.append("</table>\n<h2>Model ").append(esc(model.name())).append("</h2>\n");
        b.append(svg ? "<img src=\"model.svg\" alt=\"model graph\">\n"
                : "<p>Graphviz's <code>dot</code> was not found; the graph is in <a href=\"model.dot\">model.dot</a>.</p>\n");
        return b.append("</body></html>\n").toString();
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private void write(String name, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(dir.resolve(name), ch -> {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        });
    }
}
