package cnnc.maven;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecution;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.model.Resource;
import org.apache.maven.plugin.descriptor.PluginDescriptor;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;
import org.apache.maven.toolchain.Toolchain;
import org.apache.maven.toolchain.ToolchainManager;

/**
 * {@code cnnc:generate}: compiles every {@code *.cnn} under {@link #sourceDirectory} to Java
 * sources under {@link #outputDirectory} (one class per network, see {@code docs/embedding.md}) and
 * adds that directory as a compile source root, as {@code antlr4-maven-plugin} does for grammars.
 * The application then needs only {@code cnnc-runtime} (Java 17) at run time.
 *
 * <p>Every {@code *.onnx} under {@link #onnxDirectory} is imported the same way, and the weights it
 * holds go to {@link #resourceDirectory} as {@code pkg/path/<network>.safetensors}, beside the
 * class on the class path; that directory is added as a project resource. A weights file is
 * replaced or deleted only if the manifest {@code cnnc/<execution>.resources} records the
 * SHA-256 it had when the plugin wrote it, and it still has it.
 *
 * <p>This class runs in Maven's JVM, which may be Java 17, so it is built for Java 17 and never
 * loads the compiler (Java 21): it finds a JDK 21 or newer ({@link #findJdk}) and runs
 * {@code cnnc.maven.worker.GenerateWorker} there, which writes the classes to a staging directory.
 * Back here, the classes go to the output directory under the rules of {@link OutputFiles}: a file
 * is replaced or deleted only if the plugin provably wrote it, so the output directory may be one
 * the user writes in too.
 *
 * <p>A model with an error fails the build with the compiler's diagnostics: {@code file:line:column},
 * the line, a caret, and what was expected. Files are rewritten only when their text changes, so an
 * unchanged model does not make javac recompile.
 */
@Mojo(name = "generate", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true)
public final class GenerateMojo extends AbstractMojo {

    static final String WORKER = "cnnc.maven.worker.GenerateWorker";

    private static final Pattern PACKAGE = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*");

    /** Where the models are: every {@code *.cnn} file below it. */
    @Parameter(defaultValue = "${project.basedir}/src/main/cnn", property = "cnnc.sourceDirectory")
    File sourceDirectory;

    /** Where the ONNX models are: every {@code *.onnx} file below it, compiled like the .cnn files. */
    @Parameter(defaultValue = "${project.basedir}/src/main/onnx", property = "cnnc.onnxDirectory")
    File onnxDirectory;

    /** Where the weights imported from ONNX models go ({@code pkg/path/<network>.safetensors}); added as a resource directory. */
    @Parameter(defaultValue = "${project.build.directory}/generated-resources/cnnc", property = "cnnc.resourceDirectory")
    File resourceDirectory;

    /** Extra model files (.cnn or .onnx), e.g. {@code ${project.basedir}/../models/lenet5.cnn} shared with other builds. */
    @Parameter
    List<File> models = new ArrayList<>();

    /** Where the Java sources go; added as a compile source root. May hold the user's own sources too. */
    @Parameter(defaultValue = "${project.build.directory}/generated-sources/cnnc", property = "cnnc.outputDirectory")
    File outputDirectory;

    /** Java package of the generated classes; required (a missing one fails the build saying what to add). */
    @Parameter(property = "cnnc.package")
    String packageName;

    /** Batch size T the classes are specialized to; 0: each network's {@code train { batch N; }}, else 1. */
    @Parameter(property = "cnnc.batch", defaultValue = "1")
    int batch;

    /** {@code inference} (forward only, bn on running statistics) or {@code training} (with backward). */
    @Parameter(property = "cnnc.variant", defaultValue = "inference")
    String variant;

    /**
     * Whether the classes' transient tensors share memory: sensitivities and activations only the
     * forward pass reads (in the inference variant every activation between input and output). The
     * same bits in less memory; {@code tensor(name)} then rejects those names (docs/embedding.md).
     */
    @Parameter(property = "cnnc.sharedMemory", defaultValue = "false")
    boolean sharedMemory;

    /** A JDK 21 or newer to run the generator in; otherwise a toolchain, Maven's own JDK, JAVA_HOME or an installed one. */
    @Parameter(property = "cnnc.jdkHome")
    File jdkHome;

    /** Skips generation. */
    @Parameter(property = "cnnc.skip", defaultValue = "false")
    boolean skip;

    /** Where the manifest of what was written ({@code cnnc/<execution>.files}) and the staging directory go. */
    @Parameter(defaultValue = "${project.build.directory}", readonly = true)
    File buildDirectory;

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    MavenProject project;

    @Parameter(defaultValue = "${session}", readonly = true)
    MavenSession session;

    @Parameter(defaultValue = "${mojoExecution}", readonly = true)
    MojoExecution mojoExecution;

    @Parameter(defaultValue = "${plugin}", readonly = true)
    PluginDescriptor plugin;

    @Component
    ToolchainManager toolchainManager;

    /** The worker's class path; by default the plugin's own (its jar and its dependencies, the compiler among them). */
    List<Path> workerClasspath;

    /** Where {@link #findJdk} looks after the configured places; tests replace them. */
    String javaHomeEnv = System.getenv("JAVA_HOME");
    Path mavenJavaHome = Path.of(System.getProperty("java.home"));
    List<Path> installDirectories = Jdks.installDirectories(System.getProperty("user.home"));

    /** A model and the name diagnostics and Javadoc show for it. */
    private record Model(Path path, String shown) {}

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("cnnc: skipped");
            return;
        }
        String v = checkSettings();
        List<Model> files = modelFiles();
        if (files.isEmpty()) {
            getLog().info("cnnc: no .cnn models in " + sourceDirectory + " and no .onnx models in " + onnxDirectory);
        }
        Map<String, byte[]> weights = new LinkedHashMap<>();
        Map<String, Generated> classes = files.isEmpty() ? Map.of() : generate(files, v, weights);
        Path out = outputDirectory.toPath().toAbsolutePath().normalize();
        int changed = place(out, classes, weights);
        getLog().info("cnnc: " + classes.size() + " " + v + " class" + (classes.size() == 1 ? "" : "es") + " from "
                + files.size() + " model" + (files.size() == 1 ? "" : "s") + " (" + changed + " changed) in " + outputDirectory);
        if (!files.isEmpty()) {
            project.addCompileSourceRoot(outputDirectory.getPath());
        }
        if (!weights.isEmpty()) {
            Resource r = new Resource();
            r.setDirectory(resourceDirectory.getPath());
            project.addResource(r);
        }
    }

    /** The variant, lower-case, once every setting is valid; else a failure naming the POM and what to put there. */
    private String checkSettings() throws MojoFailureException {
        String pom = project != null && project.getFile() != null ? displayName(project.getFile().toPath()) : "pom.xml";
        String v = variant == null ? "" : variant.strip().toLowerCase(Locale.ROOT);
        if (!v.equals("inference") && !v.equals("training")) {
            throw new MojoFailureException("cnnc: " + pom + ": <variant> must be training or inference, found '" + variant + "'");
        }
        if (packageName == null || packageName.isBlank()) {
            throw new MojoFailureException("cnnc: " + pom + ": the cnnc-maven-plugin has no <packageName>: add the Java package"
                    + " of the generated classes to its <configuration>, like <packageName>com.example.nets</packageName>");
        }
        if (!PACKAGE.matcher(packageName.strip()).matches()) {
            throw new MojoFailureException("cnnc: " + pom + ": <packageName> '" + packageName
                    + "' is not a Java package name (like com.example.nets)");
        }
        if (batch < 0) {
            throw new MojoFailureException("cnnc: " + pom + ": <batch> must be at least 1 (or 0 for the train block's), found " + batch);
        }
        return v;
    }

    /** Every {@code *.cnn} under the source directory (sorted), every {@code *.onnx} under the ONNX one, then the extra models; each readable. */
    private List<Model> modelFiles() throws MojoFailureException, MojoExecutionException {
        List<Path> found = new ArrayList<>();
        list(sourceDirectory.toPath(), ".cnn", found);
        list(onnxDirectory == null ? null : onnxDirectory.toPath(), ".onnx", found);
        models.forEach(f -> found.add(f.toPath()));
        List<Model> out = new ArrayList<>();
        for (Path p : found) {
            String shown = displayName(p);
            String why = null;
            if (!Files.exists(p)) {
                why = Files.isSymbolicLink(p) ? "it is a link to " + readLink(p) + ", which does not exist" : "it does not exist";
            } else if (!Files.isRegularFile(p)) {
                why = "it is not a file";
            } else {
                try (var in = Files.newInputStream(p)) {
                    in.read();
                } catch (IOException e) {
                    why = e.getMessage();
                }
            }
            if (why != null) {
                boolean listed = models.stream().anyMatch(f -> f.toPath().equals(p));
                boolean onnx = p.getFileName().toString().endsWith(".onnx");
                throw new MojoFailureException("cnnc: cannot read the model " + shown + ": " + why + "; "
                        + (listed ? "correct or remove its <model> entry" : "make it a readable " + (onnx ? ".onnx" : ".cnn")
                                + " file or remove it from " + displayName((onnx ? onnxDirectory : sourceDirectory).toPath())));
            }
            out.add(new Model(p, shown));
        }
        return out;
    }

    /** Adds every file below {@code dir} whose name ends in {@code ext}, sorted; nothing if there is no such directory. */
    private static void list(Path dir, String ext, List<Path> found) throws MojoExecutionException {
        if (dir == null || !Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(p -> p.getFileName().toString().endsWith(ext) && !Files.isDirectory(p)).sorted().forEach(found::add);
        } catch (IOException e) {
            throw new MojoExecutionException("cnnc: cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String readLink(Path p) {
        try {
            return Files.readSymbolicLink(p).toString();
        } catch (IOException e) {
            return "?";
        }
    }

    /** A generated class: the model it came from and its source. */
    record Generated(String model, String qualifiedName, String text) {}

    /** Runs the worker on every model; the classes by relative path (weights from ONNX models into {@code weights}), or a failure with every diagnostic. */
    private Map<String, Generated> generate(List<Model> files, String v, Map<String, byte[]> weights) throws MojoExecutionException, MojoFailureException {
        Jdks.Jdk jdk = findJdk();
        Path work = buildDirectory.toPath().resolve("cnnc");
        Path staging;
        try {
            Files.createDirectories(work);
            staging = Files.createTempDirectory(work, "staging-");
        } catch (IOException e) {
            throw new MojoExecutionException("cnnc: cannot create a staging directory in " + work + ": " + e.getMessage(), e);
        }
        try {
            runWorker(jdk, staging, files, v);
            return collect(staging, files, weights);
        } finally {
            deleteTree(staging); // a directory this run created, holding only what the worker wrote
        }
    }

    private void runWorker(Jdks.Jdk jdk, Path staging, List<Model> files, String v) throws MojoExecutionException {
        List<String> cmd = new ArrayList<>(List.of(jdk.java().toString(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", classpath(), WORKER, staging.toString(), Integer.toString(batch), v, packageName.strip(),
                sharedMemory ? "shared" : "kept"));
        for (Model m : files) {
            cmd.add(m.shown());
            cmd.add(m.path().toAbsolutePath().toString());
        }
        getLog().debug("cnnc: " + String.join(" ", cmd));
        Path log = staging.resolve("worker.log");
        int rc;
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            rc = p.waitFor();
        } catch (IOException e) {
            throw new MojoExecutionException("cnnc: cannot start " + jdk.java() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MojoExecutionException("cnnc: interrupted while generating", e);
        }
        if (rc != 0 || !Files.isRegularFile(staging.resolve("result"))) {
            String output;
            try {
                output = Files.readString(log, StandardCharsets.UTF_8);
            } catch (IOException e) {
                output = "(no output: " + e.getMessage() + ")";
            }
            throw new MojoExecutionException("cnnc: the generator failed (exit " + rc + ", Java " + jdk.version() + " at "
                    + jdk.home() + "), an internal error; its output:\n" + output.stripTrailing());
        }
    }

    private Map<String, Generated> collect(Path staging, List<Model> files, Map<String, byte[]> weights) throws MojoExecutionException, MojoFailureException {
        try {
            StringBuilder diagnostics = new StringBuilder();
            int failed = 0;
            for (int i = 0; i < files.size(); i++) {
                Path errors = staging.resolve(i + ".errors");
                if (Files.isRegularFile(errors)) {
                    diagnostics.append(Files.readString(errors, StandardCharsets.UTF_8));
                    failed++;
                }
            }
            if (failed > 0) {
                // Maven prints the message once, every line after "[ERROR] ", so the caret stays under its column.
                throw new MojoFailureException("cnnc: " + failed + (failed == 1 ? " model has" : " models have")
                        + " errors:\n" + diagnostics.toString().stripTrailing());
            }
            for (String line : Files.readAllLines(staging.resolve("resources"), StandardCharsets.UTF_8)) {
                String[] f = line.split("\t");
                if (weights.put(f[1], Files.readAllBytes(staging.resolve(f[0]).resolve("weights").resolve(f[1]))) != null) {
                    throw new MojoFailureException("cnnc: two ONNX models make the weights " + f[1] + " (" + files.get(Integer.parseInt(f[0])).shown()
                            + " is one): rename one of the files, or generate them in separate executions with different <packageName>s");
                }
            }
            Map<String, Generated> out = new LinkedHashMap<>();
            for (String line : Files.readAllLines(staging.resolve("result"), StandardCharsets.UTF_8)) {
                String[] f = line.split("\t");
                Model m = files.get(Integer.parseInt(f[0]));
                String text = Files.readString(staging.resolve(f[0]).resolve(f[1]), StandardCharsets.UTF_8);
                Generated previous = out.put(f[1], new Generated(m.shown(), f[2], text));
                if (previous != null) {
                    throw new MojoFailureException("cnnc: " + (previous.model().equals(m.shown()) ? m.shown() + " defines two networks"
                            : m.shown() + " and " + previous.model() + " both define a network") + " that becomes " + f[2]
                            + ": rename one of them (network NAME { ... }), or generate them in separate executions with"
                            + " different <packageName>s");
                }
            }
            return out;
        } catch (IOException e) {
            throw new MojoExecutionException("cnnc: cannot read the generator's output in " + staging + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes the classes that changed, refusing (before writing anything) to replace a file the
     * plugin did not write; then deletes what the last run of this execution wrote that is no
     * longer generated, if still unmodified; then records what was written. Returns the count written.
     */
    private int place(Path out, Map<String, Generated> classes, Map<String, byte[]> weights) throws MojoExecutionException, MojoFailureException {
        Path manifestFile = buildDirectory.toPath().resolve("cnnc").resolve(executionId() + ".files");
        Path resources = resourceDirectory.toPath().toAbsolutePath().normalize();
        Path resourceManifest = buildDirectory.toPath().resolve("cnnc").resolve(executionId() + ".resources");
        try {
            Map<String, String> lastHashes = hashes(OutputFiles.Manifest.read(resourceManifest), resources);
            Map<Path, byte[]> writes = new LinkedHashMap<>();
            List<String> refused = new ArrayList<>();
            for (Map.Entry<String, Generated> e : classes.entrySet()) {
                Path p = out.resolve(e.getKey());
                byte[] bytes = OutputFiles.withHeader(e.getValue().model(), e.getValue().text());
                switch (OutputFiles.plan(p, bytes)) {
                    case UNCHANGED -> { }
                    case CREATE, REPLACE -> writes.put(p, bytes);
                    case REFUSE -> refused.add(displayName(p));
                }
            }
            for (Map.Entry<String, byte[]> e : weights.entrySet()) {
                Path p = resources.resolve(e.getKey());
                if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    writes.put(p, e.getValue());
                } else if (!Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    refused.add(displayName(p));
                } else {
                    byte[] old = Files.readAllBytes(p);
                    if (java.util.Arrays.equals(old, e.getValue())) {
                        continue;
                    }
                    if (OutputFiles.sha256(old).equals(lastHashes.get(e.getKey()))) {
                        writes.put(p, e.getValue());
                    } else {
                        refused.add(displayName(p));
                    }
                }
            }
            if (!refused.isEmpty()) {
                throw new MojoFailureException("cnnc: will not overwrite " + String.join(", ", refused) + ": cnnc did not write "
                        + (refused.size() == 1 ? "it" : "them") + ", or " + (refused.size() == 1 ? "it was" : "they were")
                        + " edited since. Move " + (refused.size() == 1 ? "it" : "them") + " away, rename the network,"
                        + " or give <outputDirectory> and <resourceDirectory> directories of their own (the defaults are"
                        + " target/generated-sources/cnnc and target/generated-resources/cnnc)");
            }
            for (Map.Entry<Path, byte[]> w : writes.entrySet()) {
                OutputFiles.write(w.getKey(), w.getValue());
            }
            deleteStale(OutputFiles.Manifest.read(manifestFile), out, classes.keySet());
            new OutputFiles.Manifest(out, List.copyOf(classes.keySet())).write(manifestFile);
            deleteStaleWeights(lastHashes, resources, weights.keySet());
            List<String> written = new ArrayList<>();
            for (Map.Entry<String, byte[]> e : weights.entrySet()) {
                written.add(e.getKey() + "\t" + OutputFiles.sha256(e.getValue()));
            }
            if (!written.isEmpty() || !lastHashes.isEmpty()) {
                new OutputFiles.Manifest(resources, written).write(resourceManifest);
            }
            return writes.size();
        } catch (IOException e) {
            throw new MojoExecutionException("cnnc: cannot write to " + out + ": " + e.getMessage(), e);
        }
    }

    /**
     * The weights files the last run wrote, by path relative to {@code dir}, and the SHA-256 each had
     * then: a weights file has no room for a header, so this is its proof. Empty if the last run
     * wrote to another directory.
     */
    private static Map<String, String> hashes(OutputFiles.Manifest last, Path dir) {
        Map<String, String> out = new LinkedHashMap<>();
        if (last != null && last.outputDirectory().equals(dir)) {
            for (String line : last.files()) {
                int tab = line.indexOf('\t');
                if (tab > 0) {
                    out.put(line.substring(0, tab), line.substring(tab + 1));
                }
            }
        }
        return out;
    }

    /** Deletes the weights files the last run wrote and this one did not, if unchanged since. */
    private void deleteStaleWeights(Map<String, String> last, Path dir, Set<String> written) throws IOException {
        for (Map.Entry<String, String> e : last.entrySet()) {
            Path p = dir.resolve(e.getKey()).normalize();
            if (written.contains(e.getKey()) || !p.startsWith(dir) || !Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            if (OutputFiles.sha256(Files.readAllBytes(p)).equals(e.getValue())) {
                getLog().info("cnnc: deleting " + displayName(p) + ", no longer generated");
                Files.delete(p);
            } else {
                getLog().warn("cnnc: left " + displayName(p) + " in place: it is no longer generated, but it was changed since"
                        + " cnnc wrote it; delete it if you do not need it");
            }
        }
    }

    /** Deletes what {@code last} lists and this run did not write, if the file still proves it is generated. */
    private void deleteStale(OutputFiles.Manifest last, Path out, Set<String> written) throws IOException {
        if (last == null) {
            return;
        }
        Set<Path> keep = new LinkedHashSet<>();
        written.forEach(k -> keep.add(out.resolve(k).normalize()));
        for (String f : last.files()) {
            Path p = last.outputDirectory().resolve(f).normalize();
            if (keep.contains(p) || !p.startsWith(last.outputDirectory()) || !Files.exists(p)) {
                continue;
            }
            if (OutputFiles.isGenerated(p)) {
                getLog().info("cnnc: deleting " + displayName(p) + ", no longer generated");
                Files.delete(p);
            } else {
                getLog().warn("cnnc: left " + displayName(p) + " in place: it is no longer generated, but it was edited since"
                        + " cnnc wrote it; delete it if you do not need it");
            }
        }
    }

    /**
     * A JDK {@link Jdks#NEEDED}+ for the generator: {@code <jdkHome>}; the toolchain selected by
     * maven-toolchains-plugin; a {@code jdk} toolchain of version {@code [21,)} from toolchains.xml;
     * the JDK running Maven; {@code JAVA_HOME}; the newest installed. A {@code <jdkHome>} that is not
     * Java 21+ is an error, not skipped: it was asked for.
     */
    Jdks.Jdk findJdk() throws MojoFailureException {
        Jdks jdks = new Jdks();
        if (jdkHome != null) {
            return jdks.at("<jdkHome>", jdkHome.toPath()).orElseThrow(() -> new MojoFailureException("cnnc: <jdkHome> must be a JDK "
                    + Jdks.NEEDED + " or newer to run the generator, but " + jdks.looked().get(0)
                    + "; point it at a JDK " + Jdks.NEEDED + "+ or remove it"));
        }
        Optional<Jdks.Jdk> found = fromToolchains(jdks);
        found = found.isPresent() ? found : jdks.at("the JDK running Maven", mavenJavaHome);
        found = found.isPresent() ? found : jdks.at("JAVA_HOME", javaHomeEnv == null || javaHomeEnv.isBlank() ? null : Path.of(javaHomeEnv));
        found = found.isPresent() ? found : jdks.newestIn(installDirectories);
        if (found.isPresent()) {
            getLog().debug("cnnc: generating with Java " + found.get().version() + " at " + found.get().home());
            return found.get();
        }
        throw new MojoFailureException("cnnc: the generator needs a JDK " + Jdks.NEEDED + " or newer (the cnnc compiler is Java "
                + Jdks.NEEDED + "; the generated classes and cnnc-runtime need only Java 17), and found none. Looked at:\n  "
                + String.join("\n  ", jdks.looked()) + "\nInstall a JDK " + Jdks.NEEDED + "+ and name it with <jdkHome> in the"
                + " plugin's <configuration> (or -Dcnnc.jdkHome=...), with a jdk toolchain of version " + Jdks.NEEDED
                + " in ~/.m2/toolchains.xml, or run Maven with JAVA_HOME set to it (docs/embedding.md)");
    }

    private Optional<Jdks.Jdk> fromToolchains(Jdks jdks) {
        if (toolchainManager == null) {
            return Optional.empty();
        }
        Toolchain selected = toolchainManager.getToolchainFromBuildContext("jdk", session);
        Optional<Jdks.Jdk> found = selected == null ? Optional.empty() : jdks.at("the toolchain maven-toolchains-plugin selected", home(selected));
        if (found.isPresent()) {
            return found;
        }
        List<Toolchain> all = toolchainManager.getToolchains(session, "jdk", Map.of("version", "[" + Jdks.NEEDED + ",)"));
        for (Toolchain t : all) {
            found = jdks.at("the jdk toolchain " + t, home(t));
            if (found.isPresent()) {
                return found;
            }
        }
        if (all.isEmpty()) {
            File file = session == null || session.getRequest() == null ? null : session.getRequest().getUserToolchainsFile();
            jdks.note("Maven toolchains: no jdk toolchain of version [" + Jdks.NEEDED + ",) in " + (file == null ? "toolchains.xml" : file));
        }
        return Optional.empty();
    }

    private static Path home(Toolchain t) {
        String java = t.findTool("java");
        return java == null ? null : Path.of(java).toAbsolutePath().getParent().getParent();
    }

    private String classpath() {
        if (workerClasspath == null) {
            Set<Path> cp = new LinkedHashSet<>();
            if (plugin != null) {
                if (plugin.getPluginArtifact() != null && plugin.getPluginArtifact().getFile() != null) {
                    cp.add(plugin.getPluginArtifact().getFile().toPath());
                }
                for (Artifact a : plugin.getArtifacts()) {
                    if (a.getFile() != null) {
                        cp.add(a.getFile().toPath());
                    }
                }
            }
            workerClasspath = List.copyOf(cp);
        }
        return String.join(File.pathSeparator, workerClasspath.stream().map(Path::toString).toList());
    }

    private String executionId() {
        String id = mojoExecution == null ? "default" : mojoExecution.getExecutionId();
        return id.replaceAll("[^A-Za-z0-9._-]", "_");
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

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a leftover staging directory in target/ is harmless
        }
    }
}
