package cnnc.cli;

import cnnc.diag.CompileError;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The Spark command line: {@code train} and {@code score} on Spark (docs/spark.md). {@code bin/cnnc}
 * runs it when a command has {@code --spark}; {@code spark-submit --class cnnc.cli.SparkMain
 * cnnc-spark.jar train MODEL ...} runs it on the cluster spark-submit chose. Exit codes as
 * {@code cnnc}'s: 0, 1 a user's error (one message), 2 an internal error.
 */
@Command(name = "cnnc", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, version = "cnnc 0.1.0 (spark)",
        description = "cnnc on Apache Spark: data-parallel training and batch scoring.",
        subcommands = {SparkTrainCommand.class, SparkScoreCommand.class, CommandLine.HelpCommand.class})
public final class SparkMain implements Runnable {

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "a command is required (train, score)");
    }

    public static void main(String[] args) {
        Streams.processStderr = true;
        int code = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        System.exit(code);
    }

    /** Runs the command line with the given streams; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new SparkMain());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("cnnc: " + e.getMessage());
            err.println("usage: " + e.getCommandLine().getHelp().synopsis(0).strip());
            return 1;
        });
        cli.setExecutionExceptionHandler((e, c, p) -> {
            if (e instanceof CompileError ce) {
                err.print(ce.render());
                return 1;
            }
            if (e instanceof UserError u) {
                err.println("cnnc: " + u.getMessage());
                return 1;
            }
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            err.println("cnnc: internal error: " + e);
            err.print(trace);
            return 2;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }
}
