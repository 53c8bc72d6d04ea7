package amalgam.kernels.cuda;

import jcuda.CudaException;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Device memory with a cache: a released buffer goes onto a free list for its size bucket and the next
 * request of that bucket takes it back, so the steady state of a training loop or a merge calls
 * cuMemAlloc/cuMemFree (which synchronise the device) not at all. Buckets are powers of two up to 1 MiB and
 * multiples of an eighth of the leading power of two above, so rounding wastes at most 12.5% of a large
 * buffer. When the device runs out, the cache is emptied and the allocation tried once more.
 *
 * <p>Not thread-safe by itself: callers hold the context ({@link CudaContext#enter()}).
 */
public final class DeviceAllocator {

    /** Where memory really comes from: the driver, or a fake in tests. */
    interface Memory {
        /** @throws CudaException when the device cannot provide the memory */
        CUdeviceptr allocate(long bytes);

        void free(CUdeviceptr pointer);
    }

    static final class DriverMemory implements Memory {
        @Override
        public CUdeviceptr allocate(long bytes) {
            CUdeviceptr pointer = new CUdeviceptr();
            JCudaDriver.cuMemAlloc(pointer, bytes);
            return pointer;
        }

        @Override
        public void free(CUdeviceptr pointer) {
            JCudaDriver.cuMemFree(pointer);
        }
    }

    static final long MIN_BUCKET = 256;
    private static final long POWER_OF_TWO_LIMIT = 1L << 20;

    private final Memory memory;
    private final Map<Long, ArrayDeque<CUdeviceptr>> free = new HashMap<>();
    private long cachedBytes;
    private long inUseBytes;

    DeviceAllocator(Memory memory) {
        this.memory = memory;
    }

    /** The capacity a request of {@code bytes} is rounded up to. */
    static long bucketSize(long bytes) {
        if (bytes <= MIN_BUCKET) return MIN_BUCKET;
        if (bytes <= POWER_OF_TWO_LIMIT) return Long.highestOneBit(bytes - 1) << 1;
        long step = Long.highestOneBit(bytes) / 8;
        return (bytes + step - 1) / step * step;
    }

    /** A buffer of at least {@code bytes}; close it to hand it back to the cache. Contents are undefined. */
    public DeviceBuffer allocate(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("negative allocation: " + bytes + " bytes");
        long capacity = bucketSize(bytes);
        ArrayDeque<CUdeviceptr> list = free.get(capacity);
        CUdeviceptr pointer = list == null ? null : list.pollFirst();
        if (pointer != null) {
            cachedBytes -= capacity;
        } else {
            pointer = allocateFresh(capacity);
        }
        inUseBytes += capacity;
        return new DeviceBuffer(this, pointer, capacity);
    }

    private CUdeviceptr allocateFresh(long capacity) {
        try {
            return memory.allocate(capacity);
        } catch (CudaException first) {
            releaseCached();
            try {
                return memory.allocate(capacity);
            } catch (CudaException second) {
                throw new CudaFailure("out of GPU memory: could not allocate " + capacity + " bytes with "
                        + inUseBytes + " bytes in use (" + second.getMessage() + ")", second);
            }
        }
    }

    void release(DeviceBuffer buffer) {
        inUseBytes -= buffer.capacity();
        cachedBytes += buffer.capacity();
        free.computeIfAbsent(buffer.capacity(), c -> new ArrayDeque<>()).addFirst(buffer.pointer());
    }

    /** Frees every cached buffer back to the driver. */
    public void releaseCached() {
        for (ArrayDeque<CUdeviceptr> list : free.values()) {
            for (CUdeviceptr pointer : list) memory.free(pointer);
        }
        free.clear();
        cachedBytes = 0;
    }

    /** Bytes held in free lists, ready for reuse. */
    public long cachedBytes() {
        return cachedBytes;
    }

    /** Bytes in buffers not yet closed (capacities, not requests). */
    public long inUseBytes() {
        return inUseBytes;
    }
}
