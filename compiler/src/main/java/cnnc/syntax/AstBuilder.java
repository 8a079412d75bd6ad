package cnnc.syntax;

import cnnc.diag.Pos;
import cnnc.diag.SourceFile;
import cnnc.grammar.CnnParser;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.TerminalNode;

/** Walks ANTLR's parse tree of a file that parsed without errors and builds the {@link Ast}. */
final class AstBuilder {

    private final SourceFile source;

    AstBuilder(SourceFile source) {
        this.source = source;
    }

    List<Ast.Network> file(CnnParser.FileContext file) {
        return file.network().stream().map(this::network).toList();
    }

    private Ast.Network network(CnnParser.NetworkContext n) {
        List<Ast.Statement> statements = n.statement().stream().map(this::statement).toList();
        return new Ast.Network(name(n.name()), statements, pos(n.start));
    }

    private Ast.Statement statement(CnnParser.StatementContext s) {
        return switch (s) {
            case CnnParser.InputDeclContext d -> new Ast.InputDecl(name(d.name()), dims(d.shape()), pos(d.shape()), pos(s));
            case CnnParser.TargetDeclContext d -> new Ast.TargetDecl(name(d.name()), dims(d.shape()), pos(d.shape()), pos(s));
            case CnnParser.NodeDeclContext d -> new Ast.NodeDecl(name(d.name(0)), name(d.name(1)), arguments(d.arguments()), pos(s));
            case CnnParser.LossDeclContext d -> new Ast.LossDecl(name(d.name()), arguments(d.arguments()), pos(s));
            case CnnParser.TrainBlockContext d -> new Ast.TrainBlock(d.setting().stream().map(this::setting).toList(), pos(s));
            default -> throw new IllegalStateException("unknown statement " + s.getClass());
        };
    }

    private Ast.Setting setting(CnnParser.SettingContext s) {
        return switch (s) {
            case CnnParser.OptimizerSettingContext o ->
                    new Ast.Setting(new Ast.Name("optimizer", pos(o.OPTIMIZER().getSymbol())), null, name(o.name()),
                            arguments(o.arguments()), pos(s));
            case CnnParser.PlainSettingContext p -> new Ast.Setting(name(p.name()), value(p.value()), null, List.of(), pos(s));
            case CnnParser.BlockSettingContext b -> new Ast.Setting(name(b.name()), null, null, List.of(),
                    b.arguments().stream().map(this::arguments).toList(), pos(s));
            default -> throw new IllegalStateException("unknown setting " + s.getClass());
        };
    }

    private List<Ast.Argument> arguments(CnnParser.ArgumentsContext a) {
        if (a == null) {
            return List.of();
        }
        List<Ast.Argument> out = new ArrayList<>();
        for (CnnParser.ArgumentContext arg : a.argument()) {
            out.add(new Ast.Argument(arg.name() == null ? null : name(arg.name()), value(arg.value())));
        }
        return out;
    }

    private Ast.Value value(CnnParser.ValueContext v) {
        Pos pos = pos(v);
        String text = v.getText();
        return switch (v) {
            case CnnParser.NameValueContext n -> new Ast.NameValue(n.getText(), pos);
            case CnnParser.IntValueContext i -> new Ast.IntValue(parseLong(text), text, pos);
            case CnnParser.FloatValueContext f -> new Ast.FloatValue(Double.parseDouble(text), text, pos);
            case CnnParser.DimsValueContext d -> new Ast.DimsValue(dims(d.DIMS().getText()), text, pos);
            case CnnParser.BoolValueContext b -> new Ast.BoolValue(b.TRUE() != null, pos);
            case CnnParser.PairValueContext p -> pair(p, text, pos);
            default -> throw new IllegalStateException("unknown value " + v.getClass());
        };
    }

    private Ast.PairValue pair(CnnParser.PairValueContext p, String text, Pos pos) {
        String[] parts = text.substring(1, text.length() - 1).split(",");
        return new Ast.PairValue(parseLong(parts[0]), parseLong(parts[1]), text, pos);
    }

    private List<Long> dims(CnnParser.ShapeContext s) {
        return s.DIMS() != null ? dims(s.DIMS().getText()) : List.of(parseLong(s.INT().getText()));
    }

    private static List<Long> dims(String text) {
        List<Long> out = new ArrayList<>();
        for (String part : text.split("x")) {
            out.add(parseLong(part));
        }
        return out;
    }

    /** Saturates instead of overflowing: range checks later report the value as written. */
    private static long parseLong(String text) {
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            return text.strip().startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    private Ast.Name name(CnnParser.NameContext n) {
        return new Ast.Name(n.getText(), pos(n));
    }

    private Pos pos(ParserRuleContext ctx) {
        Token start = ctx.start;
        Token stop = ctx.stop != null ? ctx.stop : start;
        int length = start.getLine() == stop.getLine()
                ? stop.getCharPositionInLine() + stop.getText().length() - start.getCharPositionInLine()
                : start.getText().length();
        return new Pos(source, start.getLine(), start.getCharPositionInLine() + 1, length);
    }

    private Pos pos(Token t) {
        return new Pos(source, t.getLine(), t.getCharPositionInLine() + 1, t.getText().length());
    }

    @SuppressWarnings("unused")
    private Pos pos(TerminalNode t) {
        return pos(t.getSymbol());
    }
}
