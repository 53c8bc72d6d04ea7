package amalgam.kernels.cuda;

import amalgam.kernels.Gemm;
import jcuda.driver.CUdeviceptr;

import java.lang.foreign.MemorySegment;

/**
 * GEMM on the GPU with our kernels: {@link #fp32} (register-blocked SGEMM, same arithmetic as the CPU
 * backends up to summation order) or {@link #tf32} (tensor cores; inputs rounded to 10 mantissa bits).
 * Operands live on the host: each call copies A, B (and C when it is read) to the device, launches one
 * kernel for the whole batch, and copies C back.
 */
public final class CudaGemm implements Gemm {

    private static final int TILE = 128;
    /** The largest grid z-extent the driver accepts; bigger batches are launched in slices. */
    private static final int MAX_BATCH_PER_LAUNCH = 65535;

    private final CudaContext context;
    private final boolean tensorCores;

    private CudaGemm(CudaContext context, boolean tensorCores) {
        this.context = context;
        this.tensorCores = tensorCores;
    }

    /** Exact fp32 GEMM (name "cuda"). */
    public static CudaGemm fp32(CudaContext context) {
        return new CudaGemm(context, false);
    }

    /** TF32 tensor-core GEMM (name "cuda-tf32"): relative error grows like 1e-3·√k instead of 1e-7·√k. */
    public static CudaGemm tf32(CudaContext context) {
        return new CudaGemm(context, true);
    }

    @Override
    public String name() {
        return tensorCores ? "cuda-tf32" : "cuda";
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     MemorySegment a, long aOffset, int lda, MemorySegment b, long bOffset, int ldb,
                     float beta, MemorySegment c, long cOffset, int ldc) {
        gemmBatched(transA, transB, m, n, k, alpha, a, aOffset, lda, 0, b, bOffset, ldb, 0,
                beta, c, cOffset, ldc, 0, 1);
    }

    @Override
    public void gemmBatched(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            MemorySegment a, long aOffset, int lda, long strideA,
                            MemorySegment b, long bOffset, int ldb, long strideB,
                            float beta, MemorySegment c, long cOffset, int ldc, long strideC, int batch) {
        if (m < 0 || n < 0 || k < 0 || batch < 0) {
            throw new IllegalArgumentException("negative GEMM size: m=" + m + " n=" + n + " k=" + k + " batch=" + batch);
        }
        if (m == 0 || n == 0 || batch == 0) return;
        long aSpan = batchSpan(matrixSpan(transA ? k : m, transA ? m : k, lda), strideA, batch);
        long bSpan = batchSpan(matrixSpan(transB ? n : k, transB ? k : n, ldb), strideB, batch);
        long cSpan = batchSpan(matrixSpan(m, n, ldc), strideC, batch);
        // C is uploaded when it is read (beta ≠ 0) or when the copy back would otherwise overwrite the gaps
        // between its rows (ldc > n) or between batch matrices with device garbage.
        boolean readC = beta != 0f || ldc != n || (batch > 1 && strideC != (long) m * ldc);
        try (CudaContext.Scope scope = context.enter();
             Staged da = Staged.upload(context, a, aOffset, aSpan);
             Staged db = Staged.upload(context, b, bOffset, bSpan);
             Staged dc = readC ? Staged.upload(context, c, cOffset, cSpan) : Staged.allocate(context, cSpan)) {
            launch(transA, transB, m, n, k, alpha, da.at(), lda, strideA, db.at(), ldb, strideB,
                    beta, dc.at(), ldc, strideC, batch);
            dc.download(context, cSpan, c, cOffset);
        }
    }

    /**
     * The same product on operands already on the device: queues the kernel on the context's stream and
     * returns without waiting (call {@link CudaContext#synchronize()} before reading C). This is what
     * device-resident tensors and the GPU benchmarks use, with no host copies in the measurement.
     */
    public void gemmOnDevice(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             CUdeviceptr a, int lda, CUdeviceptr b, int ldb, float beta, CUdeviceptr c, int ldc) {
        if (m <= 0 || n <= 0) return;
        try (CudaContext.Scope scope = context.enter()) {
            launch(transA, transB, m, n, k, alpha, a, lda, 0, b, ldb, 0, beta, c, ldc, 0, 1);
        }
    }

    private void launch(boolean transA, boolean transB, int m, int n, int k, float alpha,
                        CUdeviceptr a, int lda, long strideA, CUdeviceptr b, int ldb, long strideB,
                        float beta, CUdeviceptr c, int ldc, long strideC, int batch) {
        KernelRef kernel = kernel(transA, transB);
        for (int first = 0; first < batch; first += MAX_BATCH_PER_LAUNCH) {
            int slice = Math.min(MAX_BATCH_PER_LAUNCH, batch - first);
            KernelArgs args = KernelArgs.of().i32(m).i32(n).i32(k).f32(alpha)
                    .ptr(a.withByteOffset(first * strideA * Float.BYTES)).i64(lda).i64(strideA)
                    .ptr(b.withByteOffset(first * strideB * Float.BYTES)).i64(ldb).i64(strideB)
                    .f32(beta)
                    .ptr(c.withByteOffset(first * strideC * Float.BYTES)).i64(ldc).i64(strideC);
            context.launch(kernel, ceilDiv(n, TILE), ceilDiv(m, TILE), slice, 256, args);
        }
    }

    private KernelRef kernel(boolean transA, boolean transB) {
        if (tensorCores) {
            return transA ? (transB ? CudaKernels.TF32_TT : CudaKernels.TF32_TN)
                          : (transB ? CudaKernels.TF32_NT : CudaKernels.TF32_NN);
        }
        return transA ? (transB ? CudaKernels.SGEMM_TT : CudaKernels.SGEMM_TN)
                      : (transB ? CudaKernels.SGEMM_NT : CudaKernels.SGEMM_NN);
    }

    /** Elements from a stored matrix's first element to its last: the rows between are copied whole. */
    static long matrixSpan(int rows, int cols, int ld) {
        return rows == 0 || cols == 0 ? 0 : (long) (rows - 1) * ld + cols;
    }

    static long batchSpan(long matrixSpan, long stride, int batch) {
        return matrixSpan == 0 ? 0 : (long) (batch - 1) * stride + matrixSpan;
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }
}
