package amalgam.kernels.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;

/**
 * Radix select of the k-th largest |x| on the device (native/cuda/select.cu): four histogram passes over the
 * float bits, one byte each from the top, with the bucket choice made on the device so the host waits once.
 */
final class CudaSelection {

    /** Size of the kernels' SelectState: {uint prefix, uint mask, uint64 k}. */
    private static final int STATE_BYTES = 16;
    private static final int BUCKETS = 256;

    /**
     * The answer: the bits of the k-th largest |x| (sign cleared), and its rank among the elements whose |x|
     * has exactly those bits (1 = the first of them), so {@code k − rankAmongEqual} elements lie strictly above.
     */
    record Result(int thresholdBits, long rankAmongEqual) {}

    private CudaSelection() {}

    /** Requires 1 ≤ k ≤ n; x is n floats on the device. The caller holds the context. */
    static Result select(CudaContext context, long n, long k, CUdeviceptr x) {
        try (DeviceBuffer state = context.allocator().allocate(STATE_BYTES);
             DeviceBuffer histogram = context.allocator().allocate((long) BUCKETS * Long.BYTES)) {
            JCudaDriver.cuMemcpyHtoD(state.pointer(), Pointer.to(new long[] {0L, k}), STATE_BYTES);
            JCudaDriver.cuMemsetD32Async(histogram.pointer(), 0, 2L * BUCKETS, context.stream());
            long blocks = Math.min((n + 255) / 256, 1024);
            for (int shift = 24; shift >= 0; shift -= 8) {
                context.launch(CudaKernels.RADIX_HISTOGRAM, (int) blocks, 1, 1, BUCKETS, KernelArgs.of()
                        .i64(n).ptr(x).ptr(state.pointer()).i32(shift).ptr(histogram.pointer()));
                context.launch(CudaKernels.RADIX_SELECT_BUCKET, 1, 1, 1, 1,
                        KernelArgs.of().ptr(state.pointer()).i32(shift).ptr(histogram.pointer()));
            }
            context.synchronize();
            long[] result = new long[2];
            JCudaDriver.cuMemcpyDtoH(Pointer.to(result), state.pointer(), STATE_BYTES);
            // Little-endian: the low word of the first long is prefix, the high word mask.
            return new Result((int) result[0], result[1]);
        }
    }
}
