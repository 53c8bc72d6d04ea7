package amalgam.kernels.cuda;

import jcuda.driver.CUdeviceptr;

import java.lang.foreign.MemorySegment;

/**
 * A host operand copied to the device for one operation: the buffer, and the device address of the
 * operand's element 0 (which may sit inside the buffer when the operand's strides reach below it).
 */
final class Staged implements AutoCloseable {

    private final DeviceBuffer buffer;
    private final CUdeviceptr origin;

    private Staged(DeviceBuffer buffer, long originIndex) {
        this.buffer = buffer;
        this.origin = buffer.floatAt(originIndex);
    }

    /** Uploads floats [offset + low, offset + high] of host, where low ≤ 0 ≤ high bound the operand's reach. */
    static Staged upload(CudaContext context, MemorySegment host, long offset, long low, long high) {
        long count = high - low + 1;
        Staged staged = new Staged(context.allocator().allocate(count * Float.BYTES), -low);
        HostTransfer.upload(context, host, offset + low, count, staged.buffer.pointer());
        return staged;
    }

    /** Uploads {@code count} contiguous floats starting at {@code offset}. */
    static Staged upload(CudaContext context, MemorySegment host, long offset, long count) {
        return count == 0 ? empty(context) : upload(context, host, offset, 0, count - 1);
    }

    /** Device space for {@code count} floats, not initialised. */
    static Staged allocate(CudaContext context, long count) {
        return new Staged(context.allocator().allocate(Math.max(count, 1) * Float.BYTES), 0);
    }

    private static Staged empty(CudaContext context) {
        return allocate(context, 1);
    }

    /** Uploads a nullable optional operand; absent operands stage as null. */
    static Staged uploadOptional(CudaContext context, MemorySegment host, long count) {
        return host == null ? null : upload(context, host, 0, count);
    }

    CUdeviceptr at() {
        return origin;
    }

    static CUdeviceptr at(Staged staged) {
        return staged == null ? null : staged.origin;
    }

    /** Copies {@code count} floats from the origin back to host[offset …] and waits for the copy. */
    void download(CudaContext context, long count, MemorySegment host, long offset) {
        if (count > 0) HostTransfer.download(context, origin, count, host, offset);
    }

    @Override
    public void close() {
        buffer.close();
    }
}
