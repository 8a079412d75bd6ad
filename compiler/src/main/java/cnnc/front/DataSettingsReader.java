package cnnc.front;

import cnnc.diag.Diagnostics;
import cnnc.diag.Pos;
import cnnc.diag.Suggest;
import cnnc.ir.Augmentation;
import cnnc.ir.Buffer;
import cnnc.ir.Normalization;
import cnnc.ir.Train;
import cnnc.syntax.Ast;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the train block's data settings: {@code augment { flip: horizontal; crop: 32, pad: 4; }} and
 * {@code normalize auto;} / {@code normalize none;} / {@code normalize { mean: ...; std: ...; }}.
 * In a block each line is {@code key: value, value, ...} or {@code key: value, key: value}: a named
 * argument starts a key, positional ones after it add values to it.
 */
final class DataSettingsReader {

    static final List<String> AUGMENTATIONS = List.of("flip", "crop", "pad");
    static final List<String> FLIPS = List.of("horizontal", "vertical", "both", "none");

    private final Diagnostics diagnostics;

    DataSettingsReader(Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
    }

    Augmentation augment(Ast.Setting s) {
        if (s.lines() == null) {
            diagnostics.error(s.value() == null ? s.pos() : s.value().pos(), "'augment' takes a block",
                    "augment { flip: horizontal; crop: 32, pad: 4; }");
            return Augmentation.NONE;
        }
        Map<String, List<Ast.Value>> keys = keys(s, AUGMENTATIONS);
        if (keys == null) {
            return Augmentation.NONE;
        }
        boolean h = false;
        boolean v = false;
        if (keys.containsKey("flip")) {
            Ast.Value f = single(keys.get("flip"), "flip", "horizontal, vertical, both or none");
            if (f instanceof Ast.NameValue n && FLIPS.contains(n.text())) {
                h = n.text().equals("horizontal") || n.text().equals("both");
                v = n.text().equals("vertical") || n.text().equals("both");
            } else if (f != null) {
                diagnostics.error(f.pos(), "augmentation 'flip' takes a direction, found '" + f.text() + "'"
                        + Suggest.didYouMean(f.text(), FLIPS), "horizontal, vertical, both or none");
            }
        }
        int crop = 0;
        int pad = 0;
        Pos cropPos = Pos.NONE;
        if (keys.containsKey("crop")) {
            Ast.Value c = single(keys.get("crop"), "crop", "the input's size, like crop: 32, pad: 4");
            crop = positive(c, "crop", 1);
            cropPos = c == null ? Pos.NONE : c.pos();
            pad = keys.containsKey("pad") ? positive(single(keys.get("pad"), "pad", "a number of pixels"), "pad", 0) : 0;
        } else if (keys.containsKey("pad")) {
            diagnostics.error(keys.get("pad").get(0).pos(), "augmentation 'pad' belongs to a crop", "crop: 32, pad: 4");
        }
        return new Augmentation(h, v, crop, pad, cropPos);
    }

    Normalization normalize(Ast.Setting s) {
        if (s.lines() == null) {
            if (s.value() instanceof Ast.NameValue n && (n.text().equals("auto") || n.text().equals("none"))) {
                return n.text().equals("auto") ? new Normalization(true, List.of(), List.of(), s.pos()) : Normalization.NONE;
            }
            String found = s.value() == null ? "optimizer" : s.value().text();
            diagnostics.error(s.value() == null ? s.pos() : s.value().pos(), "train setting 'normalize' takes auto, none or a block, found '"
                    + found + "'", "normalize auto; or normalize { mean: 0.5; std: 0.25; }");
            return Normalization.NONE;
        }
        Map<String, List<Ast.Value>> keys = keys(s, List.of("mean", "std"));
        if (keys == null) {
            return Normalization.NONE;
        }
        if (!keys.containsKey("mean") || !keys.containsKey("std")) {
            diagnostics.error(s.pos(), "'normalize' needs both mean and std", "normalize { mean: 0.5; std: 0.25; } (one value per channel)");
            return Normalization.NONE;
        }
        List<Double> mean = numbers(keys.get("mean"), "mean", false);
        List<Double> std = numbers(keys.get("std"), "std", true);
        if (mean == null || std == null) {
            return Normalization.NONE;
        }
        if (mean.size() != std.size()) {
            diagnostics.error(keys.get("std").get(0).pos(), "'normalize' has " + mean.size() + " means but " + std.size()
                    + " standard deviations", "one of each per channel");
            return Normalization.NONE;
        }
        return new Normalization(false, mean, std, s.pos());
    }

    /** Checks the settings against the model's input: channels of a normalization, size of a crop. */
    static void checkInput(Train train, Buffer input, Diagnostics diagnostics) {
        if (input == null) {
            return;
        }
        var shape = input.shape();
        Normalization n = train.normalize();
        if (n.given() && n.mean().size() != shape.c()) {
            diagnostics.error(n.pos(), "'normalize' gives " + n.mean().size() + " value" + (n.mean().size() == 1 ? "" : "s")
                    + " per statistic, but input " + input.name() + " has " + shape.c() + " channel" + (shape.c() == 1 ? "" : "s"),
                    "one mean and one std per channel");
        }
        Augmentation a = train.augment();
        if (a.crop() > 0 && (a.crop() != shape.h() || a.crop() != shape.w())) {
            diagnostics.error(a.cropPos(), "a crop of " + a.crop() + " does not fit input " + input.name() + " of " + shape.h() + "x"
                    + shape.w() + " (the crop is taken back to the input's size)", "crop: " + shape.h()
                    + (shape.h() == shape.w() ? "" : " (square inputs only)"));
        }
    }

    private Map<String, List<Ast.Value>> keys(Ast.Setting s, List<String> allowed) {
        Map<String, List<Ast.Value>> keys = new LinkedHashMap<>();
        for (List<Ast.Argument> line : s.lines()) {
            String key = null;
            for (Ast.Argument a : line) {
                if (a.name() != null) {
                    key = a.name().text();
                    if (!allowed.contains(key)) {
                        diagnostics.error(a.name().pos(), "'" + s.name().text() + "' has no setting '" + key + "'"
                                + Suggest.didYouMean(key, allowed), "one of " + String.join(", ", allowed));
                        key = null;
                        continue;
                    }
                    if (keys.containsKey(key)) {
                        diagnostics.error(a.name().pos(), "'" + s.name().text() + "' sets '" + key + "' twice", "each setting once");
                        key = null;
                        continue;
                    }
                    keys.put(key, new ArrayList<>());
                } else if (key == null) {
                    diagnostics.error(a.value().pos(), "a value without a name in '" + s.name().text() + "'",
                            "key: value, like " + allowed.get(0) + ": ...");
                    continue;
                }
                if (key != null) {
                    keys.get(key).add(a.value());
                }
            }
        }
        return keys; // unknown or repeated keys are reported and left out; the rest are still checked
    }

    private Ast.Value single(List<Ast.Value> values, String key, String expected) {
        if (values.size() != 1) {
            diagnostics.error(values.get(values.size() > 1 ? 1 : 0).pos(), "augmentation '" + key + "' takes one value", expected);
            return null;
        }
        return values.get(0);
    }

    private int positive(Ast.Value v, String key, int min) {
        if (v == null) {
            return 0;
        }
        if (v instanceof Ast.IntValue i && i.value() >= min && i.value() <= 4096) {
            return (int) i.value();
        }
        diagnostics.error(v.pos(), "augmentation '" + key + "' takes an integer of at least " + min + ", found '" + v.text() + "'",
                "a whole number of pixels");
        return 0;
    }

    private List<Double> numbers(List<Ast.Value> values, String key, boolean positive) {
        List<Double> out = new ArrayList<>();
        for (Ast.Value v : values) {
            double d;
            if (v instanceof Ast.IntValue i) {
                d = i.value();
            } else if (v instanceof Ast.FloatValue f) {
                d = f.value();
            } else {
                diagnostics.error(v.pos(), "normalize '" + key + "' takes numbers, found '" + v.text() + "'", "like 0.5");
                return null;
            }
            if (positive ? !(d > 0) || Double.isInfinite(d) : Double.isInfinite(d)) {
                diagnostics.error(v.pos(), "normalize '" + key + "' must be " + (positive ? "positive" : "finite") + ", found '" + v.text() + "'",
                        positive ? "a positive number" : "a number");
                return null;
            }
            out.add(d);
        }
        return out;
    }
}
