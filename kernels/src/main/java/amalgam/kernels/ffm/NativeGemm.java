package amalgam.kernels.ffm;

import amalgam.kernels.Gemm;
import amalgam.kernels.WorkerPool;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * GEMM by the project's C kernel ({@code native/cpu/gemm.c}: packed panels, an AVX2/FMA 6×16 micro-kernel,
 * OpenMP threads). Bounds are checked here because C checks nothing. Heap segments work, through a
 * critical downcall that holds up garbage collection for the call: large matrices belong off-heap.
 */
public final class NativeGemm implements Gemm {

    private final int threads;

    /** @throws IllegalStateException when {@link NativeLibrary#isAvailable()} is false */
    public NativeGemm(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        NativeLibrary.requireAvailable();
        this.threads = threads;
    }

    /** Uses every core. */
    public NativeGemm() {
        this(WorkerPool.availableCores());
    }

    @Override
    public String name() {
        return "native";
    }

    public int threads() {
        return threads;
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     MemorySegment a, long aOffset, int lda,
                     MemorySegment b, long bOffset, int ldb,
                     float beta, MemorySegment c, long cOffset, int ldc) {
        long aExtent = Operands.matrixExtent(transA ? k : m, transA ? m : k, lda, "A");
        long bExtent = Operands.matrixExtent(transB ? n : k, transB ? k : n, ldb, "B");
        long cExtent = Operands.matrixExtent(m, n, ldc, "C");
        if (m == 0 || n == 0) return;
        MemorySegment as = Operands.elements(a, aOffset, aExtent, "A");
        MemorySegment bs = Operands.elements(b, bOffset, bExtent, "B");
        MemorySegment cs = Operands.elements(c, cOffset, cExtent, "C");
        int status;
        try {
            MethodHandle call = NativeKernels.GemmCalls.SGEMM.forWork(workOf(m, n, k), Operands.onHeap(a, b, c));
            status = (int) call.invokeExact(transA ? 1 : 0, transB ? 1 : 0, (long) m, (long) n, (long) k, alpha,
                    as, (long) lda, bs, (long) ldb, beta, cs, (long) ldc, threads);
        } catch (Throwable t) {
            throw NativeKernels.rethrow(t);
        }
        checkStatus(status);
    }

    @Override
    public void gemmBatched(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            MemorySegment a, long aOffset, int lda, long strideA,
                            MemorySegment b, long bOffset, int ldb, long strideB,
                            float beta, MemorySegment c, long cOffset, int ldc, long strideC,
                            int batch) {
        if (strideA < 0 || strideB < 0 || strideC < 0) {
            // Rare enough not to teach the bounds checks about matrices before the offset.
            Gemm.super.gemmBatched(transA, transB, m, n, k, alpha, a, aOffset, lda, strideA,
                    b, bOffset, ldb, strideB, beta, c, cOffset, ldc, strideC, batch);
            return;
        }
        if (batch < 0) throw new IllegalArgumentException("negative batch " + batch);
        long aExtent = Operands.matrixExtent(transA ? k : m, transA ? m : k, lda, "A");
        long bExtent = Operands.matrixExtent(transB ? n : k, transB ? k : n, ldb, "B");
        long cExtent = Operands.matrixExtent(m, n, ldc, "C");
        if (m == 0 || n == 0 || batch == 0) return;
        MemorySegment as = Operands.elements(a, aOffset, Operands.batchExtent(aExtent, strideA, batch), "A");
        MemorySegment bs = Operands.elements(b, bOffset, Operands.batchExtent(bExtent, strideB, batch), "B");
        MemorySegment cs = Operands.elements(c, cOffset, Operands.batchExtent(cExtent, strideC, batch), "C");
        int status;
        try {
            MethodHandle call = NativeKernels.GemmCalls.SGEMM_BATCHED.forWork(workOf(m, n, k) * batch,
                    Operands.onHeap(a, b, c));
            status = (int) call.invokeExact(transA ? 1 : 0, transB ? 1 : 0, (long) m, (long) n, (long) k, alpha,
                    as, (long) lda, strideA, bs, (long) ldb, strideB,
                    beta, cs, (long) ldc, strideC, (long) batch, threads);
        } catch (Throwable t) {
            throw NativeKernels.rethrow(t);
        }
        checkStatus(status);
    }

    /** GEMM work in the units of {@link NativeKernels.Downcall#CRITICAL_MAX_WORK}: about a cycle each. */
    private static long workOf(int m, int n, int k) {
        return 2L * m * n * Math.max(k, 1) / 64;
    }

    private static void checkStatus(int status) {
        if (status != 0) throw new OutOfMemoryError("native GEMM could not allocate its packing buffers");
    }
}
