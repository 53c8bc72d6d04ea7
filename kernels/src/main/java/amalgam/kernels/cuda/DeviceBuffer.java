package amalgam.kernels.cuda;

import jcuda.driver.CUdeviceptr;

/** A block of device memory from the {@link DeviceAllocator}; closing returns it to the allocator's cache. */
public final class DeviceBuffer implements AutoCloseable {

    private final DeviceAllocator owner;
    private final CUdeviceptr pointer;
    private final long capacity;
    private boolean closed;

    DeviceBuffer(DeviceAllocator owner, CUdeviceptr pointer, long capacity) {
        this.owner = owner;
        this.pointer = pointer;
        this.capacity = capacity;
    }

    public CUdeviceptr pointer() {
        return pointer;
    }

    /** Pointer to the float at {@code index} (elements from the start of the buffer). */
    public CUdeviceptr floatAt(long index) {
        return pointer.withByteOffset(index * Float.BYTES);
    }

    /** Usable bytes (the request rounded up to its bucket). */
    public long capacity() {
        return capacity;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        owner.release(this);
    }
}
