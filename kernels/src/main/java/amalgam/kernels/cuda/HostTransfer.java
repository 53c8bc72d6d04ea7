package amalgam.kernels.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Copies between host segments and device memory on the context's stream. A segment slice is handed to the
 * driver as a direct ByteBuffer of at most 1 GiB (ByteBuffers are int-indexed), so large copies go in
 * pieces. Heap segments (the kernels' contract is off-heap, but a caller may hold a float[]) go through an
 * off-heap bounce buffer, since the driver can only address native memory.
 */
final class HostTransfer {

    private static final long PIECE = 1L << 30;

    private HostTransfer() {}

    /** Copies {@code count} floats starting at element {@code offset} of {@code host} to {@code device}. */
    static void upload(CudaContext context, MemorySegment host, long offset, long count, CUdeviceptr device) {
        long bytes = count * Float.BYTES;
        for (long done = 0; done < bytes; done += PIECE) {
            long piece = Math.min(PIECE, bytes - done);
            MemorySegment slice = host.asSlice(offset * Float.BYTES + done, piece);
            try (Arena bounce = Arena.ofConfined()) {
                MemorySegment source = slice.isNative() ? slice : bounce.allocate(piece).copyFrom(slice);
                // From pageable memory the call returns once the driver has staged the bytes, so the bounce
                // buffer may be freed right after it.
                JCudaDriver.cuMemcpyHtoDAsync(device.withByteOffset(done), Pointer.to(source.asByteBuffer()), piece,
                        context.stream());
            }
        }
    }

    /** Copies {@code count} floats from {@code device} to element {@code offset} of {@code host}, and waits. */
    static void download(CudaContext context, CUdeviceptr device, long count, MemorySegment host, long offset) {
        long bytes = count * Float.BYTES;
        for (long done = 0; done < bytes; done += PIECE) {
            long piece = Math.min(PIECE, bytes - done);
            MemorySegment slice = host.asSlice(offset * Float.BYTES + done, piece);
            try (Arena bounce = Arena.ofConfined()) {
                MemorySegment target = slice.isNative() ? slice : bounce.allocate(piece);
                JCudaDriver.cuMemcpyDtoHAsync(Pointer.to(target.asByteBuffer()), device.withByteOffset(done), piece,
                        context.stream());
                // The copy is asynchronous: it must finish before anyone reads the host memory.
                context.synchronize();
                if (target != slice) slice.copyFrom(target);
            }
        }
    }
}
