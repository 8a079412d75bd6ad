package cnnc.front;

import cnnc.diag.Diagnostics;
import cnnc.diag.Pos;
import cnnc.diag.Suggest;
import cnnc.ir.Augmentation;
import cnnc.ir.Normalization;
import cnnc.ir.Train;
import cnnc.ops.Arg;
import cnnc.ops.Param;
import cnnc.ops.Signature;
import cnnc.runtime.optim.Schedule;
import cnnc.syntax.Ast;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads and checks the {@code train} block (docs/language.md §4): batch, epochs, seed, optimizer. */
final class TrainReader {

    private static final List<String> SETTINGS = List.of("batch", "epochs", "seed", "optimizer", "schedule", "augment", "normalize");
    /** The learning-rate schedules the runtime has, by their names in a train block. */
    static final List<String> SCHEDULES = Arrays.stream(Schedule.values()).map(Schedule::label).toList();

    static final Map<String, Signature> OPTIMIZERS = Map.of(
            "sgd", new Signature("sgd", 0, 0, List.of(Param.number("lr"),
                    Param.number("momentum", 0), Param.number("decay", 0), Param.bool("nesterov", false))),
            "adam", new Signature("adam", 0, 0, List.of(Param.number("lr"),
                    Param.number("beta1", 0.9), Param.number("beta2", 0.999), Param.number("eps", 1e-8),
                    Param.number("decay", 0))));

    private final Diagnostics diagnostics;

    TrainReader(Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
    }

    Train read(Ast.TrainBlock block) {
        Train d = Train.defaults();
        int batch = d.batch();
        int epochs = d.epochs();
        long seed = d.seed();
        String optimizer = d.optimizer();
        String schedule = d.schedule();
        Map<String, Double> settings = new HashMap<>(d.settings());
        Augmentation augment = d.augment();
        Normalization normalize = d.normalize();
        Set<String> seen = new HashSet<>();
        for (Ast.Setting s : block.settings()) {
            String name = s.name().text();
            if (!SETTINGS.contains(name)) {
                diagnostics.error(s.name().pos(), "unknown train setting '" + name + "'" + Suggest.didYouMean(name, SETTINGS),
                        "one of " + String.join(", ", SETTINGS));
                continue;
            }
            if (!seen.add(name)) {
                diagnostics.error(s.name().pos(), "train setting '" + name + "' is given twice", "each setting once");
                continue;
            }
            if (s.lines() != null && !name.equals("augment") && !name.equals("normalize")) {
                diagnostics.error(s.pos(), "train setting '" + name + "' takes a value, not a block", "like '" + name + " 64;'");
                continue;
            }
            switch (name) {
                case "batch" -> batch = positive(s, batch);
                case "epochs" -> epochs = positive(s, epochs);
                case "seed" -> seed = seed(s, seed);
                case "schedule" -> schedule = schedule(s, schedule);
                case "augment" -> augment = new DataSettingsReader(diagnostics).augment(s);
                case "normalize" -> normalize = new DataSettingsReader(diagnostics).normalize(s);
                default -> {
                    Map<String, Double> read = optimizer(s);
                    if (read != null) {
                        optimizer = s.optimizer().text();
                        settings = read;
                    }
                }
            }
        }
        return new Train(batch, epochs, seed, optimizer, settings, schedule, block.pos(), augment, normalize);
    }

    private int positive(Ast.Setting s, int fallback) {
        if (s.value() instanceof Ast.IntValue i && i.value() >= 1 && i.value() <= Integer.MAX_VALUE) {
            return (int) i.value();
        }
        String found = s.value() == null ? "optimizer" : s.value().text();
        diagnostics.error(s.value() == null ? s.pos() : s.value().pos(),
                "train setting '" + s.name().text() + "' takes a positive integer, found '" + found + "'",
                "a positive integer of at most " + Integer.MAX_VALUE);
        return fallback;
    }

    private String schedule(Ast.Setting s, String fallback) {
        if (s.value() instanceof Ast.NameValue n && SCHEDULES.contains(n.text())) {
            return n.text();
        }
        String found = s.value() == null ? "optimizer" : s.value().text();
        diagnostics.error(s.value() == null ? s.pos() : s.value().pos(),
                "train setting 'schedule' takes a learning-rate schedule, found '" + found + "'" + Suggest.didYouMean(found, SCHEDULES),
                String.join(" or ", SCHEDULES));
        return fallback;
    }

    private long seed(Ast.Setting s, long fallback) {
        if (s.value() instanceof Ast.IntValue i && i.value() >= 0 && i.value() != Long.MAX_VALUE) {
            return i.value();
        }
        diagnostics.error(s.value().pos(), "train setting 'seed' takes a non-negative integer, found '" + s.value().text() + "'",
                "an integer like 1");
        return fallback;
    }

    private Map<String, Double> optimizer(Ast.Setting s) {
        if (s.optimizer() == null) {
            diagnostics.error(s.pos(), "'optimizer' names an optimizer with its settings", "optimizer sgd(lr: 0.05); or optimizer adam(lr: 0.001);");
            return null;
        }
        String name = s.optimizer().text();
        Signature sig = OPTIMIZERS.get(name);
        if (sig == null) {
            diagnostics.error(s.optimizer().pos(), "unknown optimizer '" + name + "'" + Suggest.didYouMean(name, OPTIMIZERS.keySet()),
                    "sgd or adam");
            return null;
        }
        Binder.Bound bound = new Binder(diagnostics).bind(sig, s.arguments(), "optimizer " + name, s.optimizer().pos());
        if (bound == null) {
            return null;
        }
        Map<String, Double> out = new HashMap<>();
        boolean ok = true;
        for (Param p : sig.params()) {
            Arg v = bound.values().containsKey(p.name()) ? bound.values().get(p.name())
                    : p.dflt() instanceof Param.Default.Value d ? d.value() : null;
            out.put(p.name(), switch (v) {
                case Arg.Number n -> n.value();
                case Arg.Bool b -> b.value() ? 1.0 : 0.0;
                case null, default -> throw new IllegalStateException("optimizer " + name + ": no number for " + p.name());
            });
            if (!valid(p.name(), out.get(p.name()))) {
                Pos at = bound.places().getOrDefault(p.name(), s.optimizer().pos());
                diagnostics.error(at, "optimizer " + name + ": '" + p.name() + "' is out of range: " + at.text(), range(p.name()));
                ok = false;
            }
        }
        return ok ? out : null;
    }

    private static boolean valid(String key, double v) {
        return switch (key) {
            case "lr", "eps" -> v > 0;
            case "momentum", "beta1", "beta2" -> v >= 0 && v < 1;
            case "decay" -> v >= 0;
            default -> true;
        };
    }

    private static String range(String key) {
        return switch (key) {
            case "lr", "eps" -> "a positive number";
            case "momentum", "beta1", "beta2" -> "a number in [0, 1)";
            default -> "a non-negative number";
        };
    }
}
