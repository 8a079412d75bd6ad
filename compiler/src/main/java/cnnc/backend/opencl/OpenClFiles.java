package cnnc.backend.opencl;

import cnnc.runtime.io.AtomicFiles;
import cnnc.runtime.opencl.Plan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The files of a generated OpenCL program: {@code NAME.cl} (the kernels) and {@code NAME.plan}
 * (the {@link Plan} in its text form), each written to a temporary file renamed into place ({@link AtomicFiles}).
 */
public final class OpenClFiles {

    private OpenClFiles() {}

    /** Writes both files into {@code dir} (created if needed); returns their paths. */
    public static List<Path> write(OpenClBackend.Program program, Path dir) throws IOException {
        Files.createDirectories(dir);
        String name = program.plan().network();
        Path cl = dir.resolve(name + ".cl");
        Path plan = dir.resolve(name + ".plan");
        AtomicFiles.writeString(cl, program.source());
        AtomicFiles.writeString(plan, program.plan().toText());
        return List.of(cl, plan);
    }

    /** Reads back what {@link #write} wrote for network {@code name}. */
    public static OpenClBackend.Program read(Path dir, String name) throws IOException {
        return new OpenClBackend.Program(Files.readString(dir.resolve(name + ".cl")),
                Plan.parse(Files.readString(dir.resolve(name + ".plan"))));
    }
}
