package cnnc.cli;

import cnnc.runtime.train.EpochResult;
import cnnc.runtime.train.Evaluation;
import java.util.List;
import java.util.Locale;

/** The report's pictures as hand-written SVG: per-epoch curves and a confusion matrix heat map. */
final class Svg {

    private static final int W = 560;
    private static final int H = 340;
    private static final int LEFT = 60;
    private static final int RIGHT = 110;
    private static final int TOP = 36;
    private static final int BOTTOM = 44;

    private Svg() {}

    /** Train and test curves over the epochs: loss ({@code loss} true) or accuracy in percent. */
    static String lines(String title, List<EpochResult> epochs, boolean loss) {
        int n = epochs.size();
        double[] train = new double[n];
        double[] test = new double[n];
        boolean hasTest = true;
        for (int i = 0; i < n; i++) {
            EpochResult r = epochs.get(i);
            Evaluation e = r.test();
            train[i] = loss ? r.trainLoss() : 100 * r.trainAccuracy();
            hasTest &= e != null;
            test[i] = e == null ? Double.NaN : loss ? e.meanLoss() : 100 * e.accuracy();
        }
        double lo = loss ? 0 : Double.MAX_VALUE;
        double hi = loss ? 0 : -Double.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            for (double v : new double[] {train[i], test[i]}) {
                if (!Double.isNaN(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        double step;
        if (!loss) {
            step = hi - lo > 40 ? 10 : 5;
            lo = Math.max(0, Math.floor(lo / step) * step - step);
            hi = Math.min(100, Math.ceil(hi / step) * step + step);
        } else {
            step = niceStep(hi <= 0 ? 1 : hi * 1.1);
            hi = Math.ceil((hi <= 0 ? 1 : hi * 1.05) / step) * step;
        }
        if (hi <= lo) {
            hi = lo + step;
        }
        int ticks = (int) Math.round((hi - lo) / step);
        StringBuilder b = head(W, H, title);
        int pw = W - LEFT - RIGHT;
        int ph = H - TOP - BOTTOM;
        for (int k = 0; k <= ticks; k++) {
            double v = lo + step * k;
            double y = TOP + ph - ph * (v - lo) / (hi - lo);
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>%n", LEFT, y, LEFT + pw, y));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-size=\"11\">%s</text>%n", LEFT - 6,
                    y + 4, loss ? String.format(Locale.ROOT, "%.3f", v) : String.format(Locale.ROOT, "%.0f%%", v)));
        }
        int first = epochs.isEmpty() ? 1 : epochs.get(0).epoch();
        int last = epochs.isEmpty() ? 1 : epochs.get(n - 1).epoch();
        int every = Math.max(1, (last - first) / 10);
        for (int e = first; e <= last; e += every) {
            double x = xOf(e, first, last, pw);
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"11\">%d</text>%n", x,
                    TOP + ph + 16, e));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"12\">epoch</text>%n",
                LEFT + pw / 2, H - 8));
        b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n", LEFT, TOP, pw, ph));
        series(b, epochs, train, first, last, lo, hi, pw, ph, "#1f77b4", "train", 0);
        if (hasTest) {
            series(b, epochs, test, first, last, lo, hi, pw, ph, "#d62728", "test", 1);
        }
        return b.append("</svg>\n").toString();
    }

    /** 1, 2 or 5 times a power of ten, giving 4 to 10 ticks up to {@code top}. */
    private static double niceStep(double top) {
        double raw = top / 5;
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        double m = raw / p;
        return (m < 1.5 ? 1 : m < 3.5 ? 2 : 5) * p;
    }

    private static double xOf(int epoch, int first, int last, int pw) {
        return last == first ? LEFT + pw / 2.0 : LEFT + pw * (epoch - first) / (double) (last - first);
    }

    private static void series(StringBuilder b, List<EpochResult> epochs, double[] v, int first, int last, double lo, double hi,
                               int pw, int ph, String colour, String label, int row) {
        StringBuilder pts = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            double x = xOf(epochs.get(i).epoch(), first, last, pw);
            double y = TOP + ph - ph * (v[i] - lo) / (hi - lo);
            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            b.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", x, y, colour));
        }
        b.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n", pts.toString().strip(),
                colour));
        int ly = TOP + 14 + 18 * row;
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>%n", W - RIGHT + 12, ly,
                W - RIGHT + 32, ly, colour));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\">%s</text>%n", W - RIGHT + 38, ly + 4, label));
    }

    /** {@code m[true][predicted]} as a heat map, each row shaded by its own total, counts written in. */
    static String confusion(int[][] m, List<String> classes, String title) {
        int k = m.length;
        int cell = Math.max(14, Math.min(44, 560 / Math.max(1, k)));
        int longest = 1;
        for (String c : classes) {
            longest = Math.max(longest, short16(c).length());
        }
        int label = 24 + 7 * longest;
        int below = 30 + (int) (6 * longest * Math.sin(Math.toRadians(60)));
        int w = Math.max(label + k * cell + 30, 360);
        int h = 56 + k * cell + below;
        StringBuilder b = head(w, h, title);
        int x0 = label;
        int y0 = 50;
        for (int t = 0; t < k; t++) {
            int total = 0;
            for (int p = 0; p < k; p++) {
                total += m[t][p];
            }
            for (int p = 0; p < k; p++) {
                double f = total == 0 ? 0 : m[t][p] / (double) total;
                int shade = (int) Math.round(255 * (1 - f));
                String fill = t == p ? String.format("#%02x%02xff", shade, shade) : String.format("#ff%02x%02x", shade, shade);
                b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" stroke=\"#ddd\"/>%n",
                        x0 + p * cell, y0 + t * cell, cell, cell, fill));
                if (cell >= 22 && m[t][p] > 0) {
                    b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"10\" fill=\"%s\">%d</text>%n",
                            x0 + p * cell + cell / 2, y0 + t * cell + cell / 2 + 4, f > 0.6 ? "#fff" : "#222", m[t][p]));
                }
            }
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"11\">%s</text>%n", x0 - 6,
                    y0 + t * cell + cell / 2 + 4, TrainingReport.esc(short16(classes.get(t)))));
        }
        for (int p = 0; p < k; p++) {
            int x = x0 + p * cell + cell / 2;
            int y = y0 + k * cell + 8;
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" transform=\"rotate(60 %d %d)\">%s</text>%n", x, y, x, y,
                    TrainingReport.esc(short16(classes.get(p)))));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#555\">rows: true class, columns: predicted"
                + " (blue: right, red: mistaken; shade: share of the row)</text>%n", 12, 42));
        return b.append("</svg>\n").toString();
    }

    private static String short16(String s) {
        return s.length() <= 16 ? s : s.substring(0, 15) + "…";
    }

    private static StringBuilder head(int w, int h, String title) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                + "font-family=\"sans-serif\">%n", w, h, w, h));
        b.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>%n", w, h));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s</text>%n", 12,
                TrainingReport.esc(title)));
        return b;
    }
}
