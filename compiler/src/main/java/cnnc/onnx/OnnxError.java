package cnnc.onnx;

import java.util.List;

/**
 * What keeps an ONNX file from becoming a cnnc model: every problem found in one run (each node's op
 * type, name and the attribute or shape cnnc lacks), rendered like the compiler's diagnostics.
 */
public final class OnnxError extends RuntimeException {

    private final String file;
    private final List<String> problems;

    public OnnxError(String file, List<String> problems) {
        super(render(file, problems));
        this.file = file;
        this.problems = List.copyOf(problems);
    }

    public OnnxError(String file, String problem) {
        this(file, List.of(problem));
    }

    public String file() {
        return file;
    }

    public List<String> problems() {
        return problems;
    }

    private static String render(String file, List<String> problems) {
        if (problems.size() == 1) {
            return file + ": " + problems.get(0);
        }
        StringBuilder s = new StringBuilder(file).append(": ").append(problems.size()).append(" problems:");
        for (String p : problems) {
            s.append("\n  ").append(p);
        }
        return s.toString();
    }
}
