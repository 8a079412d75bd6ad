package cnnc.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code cnnc generate --module M}: the generated class joins the named module {@code M} whose
 * sources are in the output directory. A {@code module-info.java} there is the user's and is only
 * read: it must name {@code M} and require {@code cnnc.runtime}, or the command says what to add.
 * Without one, the command writes the smallest that works.
 */
final class ModuleInfo {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*");
    private static final Pattern MODULE = Pattern.compile("\\bmodule\\s+([A-Za-z0-9_$.\\s]+?)\\s*\\{");
    private static final Pattern REQUIRES = Pattern.compile("\\brequires\\s+(?:(?:transitive|static)\\s+)*cnnc\\s*\\.\\s*runtime\\s*;");

    private ModuleInfo() {}

    /** Checks or writes {@code dir/module-info.java}; returns the file written, or null if one was there and fits. */
    static Path ensure(Path dir, String module, String pkg) {
        if (!NAME.matcher(module).matches()) {
            throw new UserError("--module '" + module + "' is not a module name (like com.example.app)");
        }
        if (pkg.isEmpty()) {
            throw new UserError("--module needs --package: a class in a named module cannot be in the unnamed package");
        }
        Path file = dir.resolve("module-info.java");
        if (!Files.exists(file)) {
            Output.write(file, "/** Written by cnnc generate; yours to edit: cnnc only reads it from now on. */\n"
                    + "module " + module + " {\n"
                    + "    requires cnnc.runtime; // what the generated networks in " + pkg + " need at run time\n"
                    + "}\n", null);
            return file;
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserError("cannot read '" + file + "': " + e.getMessage());
        }
        String code = text.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\\n]*", " ");
        Matcher m = MODULE.matcher(code);
        if (!m.find()) {
            throw new UserError(file + ": no 'module NAME { ... }' declaration; fix it, or remove it to have cnnc write one");
        }
        String declared = m.group(1).replaceAll("\\s", "");
        if (!declared.equals(module)) {
            throw new UserError(file + " declares module " + declared + ", not " + module + ": pass --module " + declared
                    + " or write into the source directory of module " + module);
        }
        if (!REQUIRES.matcher(code).find()) {
            throw new UserError(file + ": module " + module + " does not read cnnc.runtime, which the generated class needs: add"
                    + " 'requires cnnc.runtime;' to it");
        }
        return null;
    }
}
