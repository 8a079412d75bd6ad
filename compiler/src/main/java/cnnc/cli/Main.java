package cnnc.cli;

import cnnc.diag.CompileError;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code cnnc}: the command line (README.md, docs/training.md). Exit codes: 0 success, 1 a user's error (a bad model,
 * file or flag) printed as a message without a stack trace, 2 an internal error.
 */
// scope INHERIT gives every subcommand --help and --version (the usage message promises 'cnnc dump --help').
@Command(name = "cnnc", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, version = "cnnc 0.1.0",
        description = "A compiler for convolutional neural networks.",
        subcommands = {CheckCommand.class, DumpCommand.class, GenerateCommand.class, GradCommand.class, TrainCommand.class,
                EvalCommand.class, PredictCommand.class, GradCheckCommand.class, BenchCommand.class, DevicesCommand.class, ImportCommand.class,
                ExportCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this),
                "a command is required (check, dump, generate, grad, train, eval, predict, gradcheck, bench, devices, import, export)");
    }

    public static void main(String[] args) {
        Streams.processStderr = true;
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("cnnc: " + e.getMessage());
            CommandLine c = e.getCommandLine();
            err.println("usage: " + c.getHelp().synopsis(0).strip());
            err.println("Try 'cnnc " + (c.getParent() == null ? "" : c.getCommandName() + " ") + "--help' for more.");
            return 1;
        });
        cli.setExecutionExceptionHandler((e, c, p) -> handle(e, err));
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    private static int handle(Exception e, PrintWriter err) {
        return switch (e) {
            case CompileError c -> {
                err.print(c.render());
                yield 1;
            }
            case UserError u -> {
                err.println("cnnc: " + u.getMessage());
                yield 1;
            }
            default -> {
                StringWriter trace = new StringWriter();
                e.printStackTrace(new PrintWriter(trace));
                err.println("cnnc: internal error: " + e);
                err.print(trace);
                err.println("This is a bug in cnnc; please report it with the model that caused it.");
                yield 2;
            }
        };
    }
}
