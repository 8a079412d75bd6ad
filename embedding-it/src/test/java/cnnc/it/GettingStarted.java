package cnnc.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The "Getting started" section of docs/embedding.md as steps to run, taken from its text: a fenced
 * block after {@code <!-- getting-started: install -->} or {@code <!-- getting-started: app -->} is
 * a shell script, one after a line {@code `path`:} is a file to write there, one after
 * {@code <!-- getting-started: output -->} what the application prints.
 */
record GettingStarted(String install, List<String> app, String output) {

    private static final Pattern MARKER = Pattern.compile("^<!-- getting-started: (install|app|output) -->$");
    private static final Pattern FILE = Pattern.compile("^`([^`]+)`:$");

    static Path document() {
        return Path.of(System.getProperty("cnnc.root", "..")).resolve("docs/embedding.md").toAbsolutePath().normalize();
    }

    static GettingStarted read() throws IOException {
        List<String> lines = Files.readAllLines(document(), StandardCharsets.UTF_8);
        int start = lines.indexOf("## Getting started");
        if (start < 0) {
            throw new IllegalStateException(document() + " has no '## Getting started' section");
        }
        StringBuilder install = new StringBuilder();
        List<String> app = new ArrayList<>();
        String output = null;
        String kind = null;
        String file = null;
        for (int i = start + 1; i < lines.size() && !lines.get(i).startsWith("## "); i++) {
            String line = lines.get(i);
            Matcher marker = MARKER.matcher(line);
            Matcher named = FILE.matcher(line);
            if (marker.matches()) {
                kind = marker.group(1);
            } else if (named.matches()) {
                file = named.group(1);
            } else if (line.startsWith("```") && (kind != null || file != null)) {
                StringBuilder block = new StringBuilder();
                for (i++; !lines.get(i).equals("```"); i++) {
                    block.append(lines.get(i)).append('\n');
                }
                if (file != null) {
                    // A heredoc writes the block byte for byte; the quoted delimiter keeps $ and ` as they are.
                    app.add("mkdir -p \"$(dirname '" + file + "')\"\ncat > '" + file + "' <<'GETTING_STARTED_EOF'\n" + block
                            + "GETTING_STARTED_EOF\n");
                } else if (kind.equals("install")) {
                    install.append(block);
                } else if (kind.equals("app")) {
                    app.add(block.toString());
                } else {
                    output = block.toString();
                }
                kind = null;
                file = null;
            } else if (!line.isBlank()) {
                kind = null; // a marker or a file name belongs to the block right after it
                file = null;
            }
        }
        if (install.isEmpty() || app.isEmpty() || output == null) {
            throw new IllegalStateException(document() + ": the getting-started section lacks its install, app or output blocks");
        }
        return new GettingStarted(install.toString(), List.copyOf(app), output);
    }

    /** Every app block in order, each followed by a line that marks where its output ends. */
    String appScript() {
        StringBuilder s = new StringBuilder();
        for (String block : app) {
            s.append(block).append("echo '").append(END).append("'\n");
        }
        return s.toString();
    }

    static final String END = "--- end of block";
}
