package cnnc.runtime.opencl;

import static org.jocl.CL.CL_DEVICE_NAME;
import static org.jocl.CL.CL_DEVICE_TYPE;
import static org.jocl.CL.CL_DEVICE_TYPE_ALL;
import static org.jocl.CL.CL_DEVICE_TYPE_CPU;
import static org.jocl.CL.CL_DEVICE_TYPE_GPU;
import static org.jocl.CL.CL_DEVICE_VERSION;
import static org.jocl.CL.CL_PLATFORM_NAME;
import static org.jocl.CL.CL_PLATFORM_VERSION;
import static org.jocl.CL.clGetDeviceIDs;
import static org.jocl.CL.clGetDeviceInfo;
import static org.jocl.CL.clGetPlatformIDs;
import static org.jocl.CL.clGetPlatformInfo;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * The OpenCL platforms and devices of this machine, and the choice of one by a
 * {@code --device opencl[:PLATFORM:DEVICE]} string. Without any platform every method that needs
 * one throws an {@link OpenClException} that says what to install; nothing falls back silently.
 */
public final class OpenClDevices {

    /** What to install when there is no OpenCL platform, for every message that reports it. */
    public static final String INSTALL_HINT = "no OpenCL platform found. Install an OpenCL driver (ICD): on Debian or "
            + "Ubuntu 'apt-get install pocl-opencl-icd ocl-icd-opencl-dev' for the CPU, or your GPU vendor's ICD "
            + "(e.g. nvidia-opencl-icd, intel-opencl-icd, mesa-opencl-icd); 'clinfo -l' should then list it";

    /** One device: its indices as {@code opencl:PLATFORM:DEVICE} names them, and what the driver says of it. */
    public record Device(int platformIndex, int deviceIndex, String platformName, String platformVersion,
                         String name, String version, String type, cl_platform_id platform, cl_device_id id) {

        /** {@code opencl:0:0}. */
        public String spec() {
            return "opencl:" + platformIndex + ":" + deviceIndex;
        }

        @Override
        public String toString() {
            return spec() + "  " + name + " (" + type + ", " + version + ") on " + platformName;
        }
    }

    private OpenClDevices() {
    }

    /**
     * Every device of every platform; empty when an ICD loader exists but no platform is installed.
     *
     * @throws OpenClException when the OpenCL library itself cannot be loaded
     */
    public static List<Device> list() {
        List<Device> out = new ArrayList<>();
        for (int p = 0; p < platforms().length; p++) {
            cl_platform_id platform = platforms()[p];
            int[] count = new int[1];
            try {
                clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, null, count);
            } catch (CLException e) {
                continue; // CL_DEVICE_NOT_FOUND: a platform without devices
            }
            cl_device_id[] ids = new cl_device_id[count[0]];
            clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, ids.length, ids, null);
            for (int d = 0; d < ids.length; d++) {
                out.add(new Device(p, d, platformString(platform, CL_PLATFORM_NAME),
                        platformString(platform, CL_PLATFORM_VERSION), deviceString(ids[d], CL_DEVICE_NAME),
                        deviceString(ids[d], CL_DEVICE_VERSION), type(ids[d]), platform, ids[d]));
            }
        }
        return out;
    }

    /**
     * The device a {@code --device} value names: {@code opencl} (the first device of the first
     * platform that has one) or {@code opencl:PLATFORM:DEVICE}.
     *
     * @throws OpenClException saying what to install when there is none, or which devices exist
     */
    public static Device select(String spec) {
        List<Device> devices = list();
        if (devices.isEmpty()) {
            throw new OpenClException(INSTALL_HINT, true);
        }
        if (spec == null || spec.equals("opencl")) {
            return devices.get(0);
        }
        String[] parts = spec.split(":");
        if (parts.length != 3 || !parts[0].equals("opencl")) {
            throw new OpenClException("bad OpenCL device '" + spec + "': expected opencl or opencl:PLATFORM:DEVICE, "
                    + "e.g. opencl:0:0 (cnnc devices lists them)", true);
        }
        for (Device d : devices) {
            if (d.spec().equals("opencl:" + parts[1].strip() + ":" + parts[2].strip())) {
                return d;
            }
        }
        StringBuilder known = new StringBuilder();
        devices.forEach(d -> known.append("\n  ").append(d));
        throw new OpenClException("no OpenCL device " + spec + "; this machine has:" + known, true);
    }

    private static cl_platform_id[] cached;

    private static synchronized cl_platform_id[] platforms() {
        if (cached != null) {
            return cached;
        }
        try {
            CL.setExceptionsEnabled(true);
            int[] count = new int[1];
            try {
                clGetPlatformIDs(0, null, count);
            } catch (CLException e) {
                count[0] = 0; // CL_PLATFORM_NOT_FOUND_KHR: an ICD loader without any driver
            }
            cl_platform_id[] ids = new cl_platform_id[count[0]];
            if (count[0] > 0) {
                clGetPlatformIDs(count[0], ids, null);
            }
            cached = ids;
            return ids;
        } catch (UnsatisfiedLinkError e) {
            throw new OpenClException(INSTALL_HINT + " (the OpenCL library could not be loaded: " + e.getMessage() + ")",
                    true, e);
        }
    }

    private static String platformString(cl_platform_id p, int param) {
        long[] size = new long[1];
        clGetPlatformInfo(p, param, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        clGetPlatformInfo(p, param, buf.length, Pointer.to(buf), null);
        return cString(buf);
    }

    private static String deviceString(cl_device_id d, int param) {
        long[] size = new long[1];
        clGetDeviceInfo(d, param, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        clGetDeviceInfo(d, param, buf.length, Pointer.to(buf), null);
        return cString(buf);
    }

    private static String type(cl_device_id d) {
        long[] type = new long[1];
        clGetDeviceInfo(d, CL_DEVICE_TYPE, Sizeof.cl_long, Pointer.to(type), null);
        if ((type[0] & CL_DEVICE_TYPE_GPU) != 0) {
            return "GPU";
        }
        return (type[0] & CL_DEVICE_TYPE_CPU) != 0 ? "CPU" : "accelerator";
    }

    static String cString(byte[] buf) {
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
            n++;
        }
        return new String(buf, 0, n, StandardCharsets.UTF_8).strip();
    }
}
