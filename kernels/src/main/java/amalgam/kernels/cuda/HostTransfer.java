package amalgam.kernels.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;

import java.lang.foreign.MemorySegment;

/**
 * Copies between host segments and device memory on the context's stream. A segment slice is handed to the
 * driver as a direct ByteBuffer of at most 1 GiB (ByteBuffers are int-indexed), so large copies go in pieces.
 */
final class HostTransfer {

    private static final long PIECE = 1L << 30;

    private HostTransfer() {}

    /** Copies {@code count} floats starting at element {@code offset} of {@code host} to {@code device}. */
    static void upload(CudaContext context, MemorySegment host, long offset, long count, CUdeviceptr device) {
        long bytes = count * Float.BYTES;
        for (long done = 0; done < bytes; done += PIECE) {
            long piece = Math.min(PIECE, bytes - done);
            Pointer source = Pointer.to(host.asSlice(offset * Float.BYTES + done, piece).asByteBuffer());
            JCudaDriver.cuMemcpyHtoDAsync(device.withByteOffset(done), source, piece, context.stream());
        }
    }

    /** Copies {@code count} floats from {@code device} to element {@code offset} of {@code host}, and waits. */
    static void download(CudaContext context, CUdeviceptr device, long count, MemorySegment host, long offset) {
        long bytes = count * Float.BYTES;
        for (long done = 0; done < bytes; done += PIECE) {
            long piece = Math.min(PIECE, bytes - done);
            Pointer target = Pointer.to(host.asSlice(offset * Float.BYTES + done, piece).asByteBuffer());
            JCudaDriver.cuMemcpyDtoHAsync(target, device.withByteOffset(done), piece, context.stream());
        }
        // The host memory is pageable and the copy asynchronous: it must finish before the caller reads it.
        context.synchronize();
    }
}
