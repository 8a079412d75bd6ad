package cnnc.maven;

import cnnc.backend.java.AheadOfTime;
import cnnc.backend.java.AheadOfTime.Variant;
import cnnc.backend.java.JavaBackend;
import cnnc.diag.CompileError;
import cnnc.diag.SourceFile;
import cnnc.syntax.Parser;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/**
 * {@code cnnc:generate}: compiles every {@code *.cnn} under {@link #sourceDirectory} to Java
 * sources under {@link #outputDirectory} (one class per network, see {@code docs/embedding.md}) and
 * adds that directory as a compile source root, as {@code antlr4-maven-plugin} does for grammars.
 * The application then needs only {@code cnnc-runtime} at run time.
 *
 * <p>A model with an error fails the build with the compiler's diagnostics: {@code file:line:column},
 * the line, a caret, and what was expected. Files are rewritten only when their text changes, so an
 * unchanged model does not make javac recompile; stale {@code .java} files in the output directory
 * (a renamed network) are deleted, since the directory belongs to this goal.
 */
@Mojo(name = "generate", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true)
public final class GenerateMojo extends AbstractMojo {

    /** Where the models are: every {@code *.cnn} file below it. */
    @Parameter(defaultValue = "${project.basedir}/src/main/cnn", property = "cnnc.sourceDirectory")
    File sourceDirectory;

    /** Extra model files, e.g. {@code ${project.basedir}/../models/lenet5.cnn} shared with other builds. */
    @Parameter
    List<File> models = new ArrayList<>();

    /** Where the Java sources go; added as a compile source root. */
    @Parameter(defaultValue = "${project.build.directory}/generated-sources/cnnc", property = "cnnc.outputDirectory")
    File outputDirectory;

    /** Java package of the generated classes ({@code ""}: the unnamed package, not recommended). */
    @Parameter(property = "cnnc.package", required = true)
    String packageName;

    /** Batch size T the classes are specialized to; 0: each network's {@code train { batch N; }}, else 1. */
    @Parameter(property = "cnnc.batch", defaultValue = "1")
    int batch;

    /** {@code inference} (forward only, bn on running statistics) or {@code training} (with backward). */
    @Parameter(property = "cnnc.variant", defaultValue = "inference")
    String variant;

    /** Skips generation. */
    @Parameter(property = "cnnc.skip", defaultValue = "false")
    boolean skip;

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    MavenProject project;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("cnnc: skipped");
            return;
        }
        Variant v = Variant.parse(variant);
        if (v == null) {
            throw new MojoFailureException("cnnc: <variant> must be training or inference, found '" + variant + "'");
        }
        if (packageName == null || !AheadOfTime.isPackageName(packageName.strip())) {
            throw new MojoFailureException("cnnc: <packageName> '" + packageName + "' is not a Java package name (like com.example.nets)");
        }
        if (batch < 0) {
            throw new MojoFailureException("cnnc: <batch> must be at least 1 (or 0 for the train block's), found " + batch);
        }
        List<Path> files = modelFiles();
        if (files.isEmpty()) {
            getLog().info("cnnc: no .cnn models in " + sourceDirectory);
            return;
        }
        StringBuilder diagnostics = new StringBuilder();
        int failedFiles = 0;
        Map<String, Path> written = new HashMap<>();
        int changed = 0;
        for (Path file : files) {
            List<JavaBackend.Source> sources;
            try {
                SourceFile source = Parser.decode(displayName(file), Files.readAllBytes(file));
                sources = AheadOfTime.generate(source, batch, v, packageName.strip());
            } catch (CompileError e) {
                diagnostics.append(e.render());
                failedFiles++;
                continue;
            } catch (IOException e) {
                throw new MojoExecutionException("cnnc: cannot read " + file + ": " + e.getMessage(), e);
            }
            for (JavaBackend.Source s : sources) {
                Path previous = written.put(s.relativePath(), file);
                if (previous != null) {
                    throw new MojoFailureException("cnnc: " + displayName(file) + " and " + displayName(previous)
                            + " both define a network that becomes " + s.qualifiedName() + "; rename one network");
                }
                changed += write(outputDirectory.toPath().resolve(s.relativePath()), s.text()) ? 1 : 0;
            }
        }
        if (failedFiles > 0) {
            // Maven prints the message once, every line after "[ERROR] ", so the caret stays under its column.
            throw new MojoFailureException("cnnc: " + failedFiles + (failedFiles == 1 ? " model has" : " models have")
                    + " errors:\n" + diagnostics.toString().stripTrailing());
        }
        deleteStale(written.keySet());
        getLog().info("cnnc: " + written.size() + " " + v.name().toLowerCase(java.util.Locale.ROOT) + " class"
                + (written.size() == 1 ? "" : "es") + " from " + files.size() + " model" + (files.size() == 1 ? "" : "s")
                + " (" + changed + " changed) in " + outputDirectory);
        project.addCompileSourceRoot(outputDirectory.getPath());
    }

    /** Every {@code *.cnn} under the source directory (sorted), then the extra models. */
    private List<Path> modelFiles() throws MojoExecutionException {
        List<Path> out = new ArrayList<>();
        Path dir = sourceDirectory.toPath();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.filter(p -> p.getFileName().toString().endsWith(".cnn") && Files.isRegularFile(p)).sorted().forEach(out::add);
            } catch (IOException e) {
                throw new MojoExecutionException("cnnc: cannot list " + dir + ": " + e.getMessage(), e);
            }
        }
        for (File f : models) {
            if (!f.isFile()) {
                throw new MojoExecutionException("cnnc: model " + f + " does not exist");
            }
            out.add(f.toPath());
        }
        return out;
    }

    /** The file relative to the project ({@code src/main/cnn/a.cnn}, {@code ../models/b.cnn}), as diagnostics and Javadoc show it. */
    private String displayName(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        Path shown = abs;
        if (project != null && project.getBasedir() != null) {
            Path base = project.getBasedir().toPath().toAbsolutePath().normalize();
            if (base.getRoot() != null && base.getRoot().equals(abs.getRoot())
                    && !base.relativize(abs).startsWith(Path.of("..", "..", ".."))) {
                shown = base.relativize(abs); // src/main/cnn/a.cnn, ../models/b.cnn; farther away: absolute
            }
        }
        return shown.toString().replace(File.separatorChar, '/');
    }

    /** Writes {@code text} unless the file already holds it (temporary file, then rename); true if written. */
    private static boolean write(Path file, String text) throws MojoExecutionException {
        try {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            if (Files.isRegularFile(file) && java.util.Arrays.equals(Files.readAllBytes(file), bytes)) {
                return false;
            }
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            throw new MojoExecutionException("cnnc: cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private void deleteStale(Set<String> keep) throws MojoExecutionException {
        Path out = outputDirectory.toPath();
        if (!Files.isDirectory(out)) {
            return;
        }
        Set<Path> wanted = new HashSet<>();
        keep.forEach(k -> wanted.add(out.resolve(k).normalize()));
        try (Stream<Path> s = Files.walk(out)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".java")).toList()) {
                if (!wanted.contains(p.normalize())) {
                    getLog().info("cnnc: deleting stale " + p);
                    Files.delete(p);
                }
            }
        } catch (IOException e) {
            throw new MojoExecutionException("cnnc: cannot clean " + out + ": " + e.getMessage(), e);
        }
    }
}
