package cnnc.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The directory of one training run without {@code --save}: {@code runs/<network>/<n>/}, n one more
 * than the largest number there, created with {@link Files#createDirectory} so two runs started at
 * once never share one. It holds {@link #LAST} (the checkpoint of the last epoch), {@link #BEST}
 * (the weights of the epoch with the best test accuracy), {@code report/}, {@link #LOG}, the exact
 * {@code .cnn} text as {@link #MODEL} and the command line as {@link #COMMAND}. Nothing of an earlier
 * run is ever written again.
 */
final class RunDir {

    static final String LAST = "last.safetensors";
    static final String BEST = "best.safetensors";
    static final String LOG = "train.log";
    static final String MODEL = "model.cnn";
    static final String COMMAND = "command.txt";
    static final String REPORT = "report";

    private RunDir() {}

    /** Creates the next {@code root/network/<n>} directory. */
    static Path create(Path root, String network) {
        Path parent = root.resolve(network);
        try {
            Files.createDirectories(parent);
            for (int n = next(parent); ; n++) {
                try {
                    return Files.createDirectory(parent.resolve(Integer.toString(n)));
                } catch (FileAlreadyExistsException e) {
                    // another run took n at the same moment: try the next
                }
            }
        } catch (IOException e) {
            throw new UserError("cannot create a run directory under " + parent + ": " + e.getMessage()
                    + " (or name a weights file with --save)");
        }
    }

    private static int next(Path parent) throws IOException {
        int max = 0;
        try (Stream<Path> s = Files.list(parent)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (name.matches("[0-9]{1,9}")) {
                    max = Math.max(max, Integer.parseInt(name));
                }
            }
        }
        return max + 1;
    }

    /** Writes the model's exact text and the command line into a new run directory. */
    static void record(Path run, byte[] model, List<String> args) {
        try {
            Files.write(run.resolve(MODEL), model);
            StringBuilder b = new StringBuilder("cnnc");
            for (String a : args) {
                b.append(' ').append(a.matches("[A-Za-z0-9_./:=@,+-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
            }
            Files.writeString(run.resolve(COMMAND), b.append('\n').toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserError("cannot write into the run directory " + run + ": " + e.getMessage());
        }
    }

    /** What {@code --resume X} names: X itself, or X/last.safetensors when X is a run directory. */
    static Path checkpointOf(Path resume) {
        if (resume != null && Files.isDirectory(resume)) {
            Path last = resume.resolve(LAST);
            if (!Files.isRegularFile(last)) {
                throw new UserError("--resume " + resume + ": a directory, but not a run directory (it has no " + LAST + ")");
            }
            return last;
        }
        return resume;
    }
}
