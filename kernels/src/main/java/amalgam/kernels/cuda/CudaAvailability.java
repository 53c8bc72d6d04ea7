package amalgam.kernels.cuda;

import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.JCudaDriver;

/**
 * Decides once per process whether the CUDA backend can run here, and if not, why, in words for the user.
 * Never throws: a missing driver library shows up as a {@link LinkageError} from JCuda's class initialiser,
 * a driver without a usable device as a JCuda exception, and both become a reason.
 */
final class CudaAvailability {

    /** Compute capability the PTX targets: TF32 tensor-core mma needs Ampere (8.0) or newer. */
    static final int MIN_MAJOR = 8;

    /** null when available. */
    static final String REASON = probe();

    private CudaAvailability() {}

    private static String probe() {
        for (String module : CudaKernels.MODULES) {
            if (CudaAvailability.class.getResource(KernelRef.resourceOf(module)) == null) {
                return "the CUDA kernels were not built (" + KernelRef.resourceOf(module)
                        + " is missing: nvcc was not on the PATH when amalgam was compiled)";
            }
        }
        try {
            JCudaDriver.setExceptionsEnabled(true);
            JCudaDriver.cuInit(0);
            int[] count = new int[1];
            JCudaDriver.cuDeviceGetCount(count);
            if (count[0] == 0) return "the CUDA driver sees no GPU";
            CUdevice device = new CUdevice();
            JCudaDriver.cuDeviceGet(device, 0);
            int major = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
            int minor = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
            if (major < MIN_MAJOR) {
                return "GPU 0 (" + deviceName(device) + ") has compute capability " + major + "." + minor
                        + "; the CUDA kernels need " + MIN_MAJOR + ".0 or newer";
            }
            return null;
        } catch (LinkageError e) {
            // JCuda's message holds whole stack traces; the line that matters names the missing library.
            String message = rootMessage(e);
            if (message.contains("libcuda.so")) return "no NVIDIA driver on this machine (libcuda.so.1 was not found)";
            return "the CUDA driver library could not be loaded (" + message.lines().findFirst().orElse("") + ")";
        } catch (RuntimeException e) {
            return "the CUDA driver failed to start (" + rootMessage(e).lines().findFirst().orElse("") + ")";
        }
    }

    static int attribute(CUdevice device, int attribute) {
        int[] value = new int[1];
        JCudaDriver.cuDeviceGetAttribute(value, attribute, device);
        return value[0];
    }

    static String deviceName(CUdevice device) {
        byte[] name = new byte[256];
        JCudaDriver.cuDeviceGetName(name, name.length, device);
        int end = 0;
        while (end < name.length && name[end] != 0) end++;
        return new String(name, 0, end, java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String message = root.getMessage();
        return message == null ? root.getClass().getSimpleName() : message.strip();
    }
}
