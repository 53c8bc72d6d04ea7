package amalgam.kernels.cuda;

import jcuda.CudaException;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The process's one CUDA device (GPU 0): its primary context, one stream every operation is queued on, the
 * loaded kernel modules (SASS or PTX) and the caching device allocator. Operations take the context with
 * {@link #enter()}, which serialises callers and makes the context current on the calling thread (the driver
 * API tracks the current context per thread).
 */
public final class CudaContext {

    private static volatile CudaContext shared;

    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CUstream stream = new CUstream();
    private final String deviceName;
    private final int major;
    private final int minor;
    private final DeviceAllocator allocator;
    private final Map<String, CudaModule> modules = new HashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    /** The kernel launched last, named when an asynchronous error surfaces at a later synchronisation. */
    private KernelRef lastKernel;

    /** Whether CUDA kernels can run on this machine. Never throws. */
    public static boolean isAvailable() {
        return CudaAvailability.REASON == null;
    }

    /** Why {@link #isAvailable()} is false, in words for the user (or a note that it is available). */
    public static String unavailableReason() {
        String reason = CudaAvailability.REASON;
        return reason == null ? "CUDA is available" : "CUDA is unavailable: " + reason;
    }

    /**
     * The shared context, created on first use.
     *
     * @throws UnsupportedOperationException when CUDA is unavailable; the message says why
     */
    public static CudaContext shared() {
        CudaContext result = shared;
        if (result != null) return result;
        synchronized (CudaContext.class) {
            if (shared == null) {
                if (!isAvailable()) throw new UnsupportedOperationException(unavailableReason());
                shared = new CudaContext();
            }
            return shared;
        }
    }

    private CudaContext() {
        try {
            JCudaDriver.cuDeviceGet(device, 0);
            JCudaDriver.cuDevicePrimaryCtxRetain(context, device);
            JCudaDriver.cuCtxSetCurrent(context);
            JCudaDriver.cuStreamCreate(stream, 0);
        } catch (CudaException e) {
            throw new CudaFailure("could not create a CUDA context on GPU 0: " + e.getMessage(), e);
        }
        deviceName = CudaAvailability.deviceName(device);
        major = CudaAvailability.attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
        minor = CudaAvailability.attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        allocator = new DeviceAllocator(new DeviceAllocator.DriverMemory());
    }

    /** Holding the returned scope serialises use of the device; close it (try-with-resources) to release. */
    public Scope enter() {
        lock.lock();
        try {
            JCudaDriver.cuCtxSetCurrent(context);
        } catch (RuntimeException e) {
            lock.unlock();
            throw e;
        }
        return lock::unlock;
    }

    /** A held context; closing it cannot fail. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    public String deviceName() {
        return deviceName;
    }

    /** Compute capability as "major.minor". */
    public String computeCapability() {
        return major + "." + minor;
    }

    public DeviceAllocator allocator() {
        return allocator;
    }

    CUstream stream() {
        return stream;
    }

    /**
     * Queues a kernel on the stream; the caller holds the context ({@link #enter()}). The arguments must
     * match the kernel's declared signature; launch errors name the kernel.
     */
    public void launch(KernelRef kernel, int gridX, int gridY, int gridZ, int block, KernelArgs args) {
        if (!args.signature().equals(kernel.signature())) {
            // A mismatch would read garbage on the device, or crash it: refuse it here, by name.
            throw new CudaFailure("CUDA kernel " + kernel + " takes (" + kernel.signature() + ") but was given ("
                    + args.signature() + ")");
        }
        if (gridX == 0 || gridY == 0 || gridZ == 0) return;
        CudaModule module = modules.computeIfAbsent(kernel.module(), name -> CudaModule.load(name, major, minor));
        lastKernel = kernel;
        try {
            JCudaDriver.cuLaunchKernel(module.function(kernel), gridX, gridY, gridZ, block, 1, 1, 0, stream,
                    args.pointer(), null);
        } catch (CudaException e) {
            throw new CudaFailure("CUDA kernel " + kernel + " failed to launch (grid " + gridX + "×" + gridY
                    + "×" + gridZ + ", block " + block + "): " + e.getMessage(), e);
        }
    }

    /** A 1-D launch of enough 256-thread blocks for n elements (the kernels loop grid-stride past the cap). */
    public void launch1d(KernelRef kernel, long n, KernelArgs args) {
        long blocks = Math.min((n + 255) / 256, 1L << 16);
        launch(kernel, (int) Math.max(blocks, 1), 1, 1, 256, args);
    }

    /** Waits for everything queued; an error raised by a kernel names the last one launched. */
    public void synchronize() {
        try {
            JCudaDriver.cuStreamSynchronize(stream);
        } catch (CudaException e) {
            throw new CudaFailure("CUDA error reported after kernel " + lastKernel + ": " + e.getMessage(), e);
        }
    }
}
