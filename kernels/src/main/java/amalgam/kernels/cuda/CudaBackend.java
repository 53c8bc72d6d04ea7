package amalgam.kernels.cuda;

import amalgam.kernels.OpCodes;
import amalgam.kernels.Backend;
import amalgam.kernels.Gemm;
import amalgam.kernels.GemmDelegation;
import amalgam.kernels.MergeSweeps;
import amalgam.kernels.MergeSweepsDelegation;
import amalgam.kernels.BinaryOp;
import amalgam.kernels.ReduceOp;
import amalgam.kernels.UnaryOp;
import amalgam.kernels.WorkerPool;
import amalgam.kernels.cpu.VectorMergeSweeps;

import java.lang.foreign.MemorySegment;

/**
 * {@link Backend} on the GPU. Every call copies its host operands to the device, runs our kernels, and
 * copies the result back before returning, so it is a drop-in (and, for small inputs, slow) replacement for
 * the CPU backends; it exists to test the kernels against {@code ScalarBackend} and as the base that
 * device-resident tensors will reuse.
 */
public final class CudaBackend implements Backend, GemmDelegation, MergeSweepsDelegation {

    private static final int ROW_BLOCK = 256;

    private final CudaContext context;
    private final CudaGemm gemm;
    private final VectorMergeSweeps hostSweeps;

    /** The merge sweeps run on the host with {@code hostPool}'s threads (see {@link #mergeSweeps}). */
    public CudaBackend(CudaContext context, WorkerPool hostPool) {
        this.context = context;
        this.gemm = CudaGemm.fp32(context);
        this.hostSweeps = new VectorMergeSweeps(hostPool);
    }

    /** The merge sweeps run on the calling thread alone. */
    public CudaBackend(CudaContext context) {
        this(context, WorkerPool.of(1));
    }

    @Override
    public String name() {
        return "cuda";
    }

    /** The host does no compute; the GPU's parallelism is not counted in threads. */
    @Override
    public int threads() {
        return 1;
    }

    @Override
    public Gemm gemmKernel() {
        return gemm;
    }

    // ---- elementwise -------------------------------------------------------------------------------------

    @Override
    public void unary(UnaryOp op, long n, MemorySegment x, long xOffset, MemorySegment out, long outOffset) {
        if (n <= 0) return;
        try (CudaContext.Scope scope = context.enter();
             Staged dx = Staged.upload(context, x, xOffset, n);
             Staged dout = Staged.allocate(context, n)) {
            context.launch1d(CudaKernels.UNARY, n,
                    KernelArgs.of().i32(OpCodes.of(op)).i64(n).ptr(dx.at()).ptr(dout.at()));
            dout.download(context, n, out, outOffset);
        }
    }

    @Override
    public void affine(long n, float scale, float shift, MemorySegment x, long xOffset,
                       MemorySegment out, long outOffset) {
        if (n <= 0) return;
        try (CudaContext.Scope scope = context.enter();
             Staged dx = Staged.upload(context, x, xOffset, n);
             Staged dout = Staged.allocate(context, n)) {
            context.launch1d(CudaKernels.AFFINE, n,
                    KernelArgs.of().i64(n).f32(scale).f32(shift).ptr(dx.at()).ptr(dout.at()));
            dout.download(context, n, out, outOffset);
        }
    }

    @Override
    public void binary(BinaryOp op, int[] shape, MemorySegment a, long aOffset, long[] aStrides,
                       MemorySegment b, long bOffset, long[] bStrides, MemorySegment out, long outOffset) {
        StridedLayout layout = StridedLayout.of(shape, aStrides, bStrides);
        long n = layout.count();
        if (n == 0) return;
        try (CudaContext.Scope scope = context.enter();
             Staged da = stageStrided(a, aOffset, layout.shape(), layout.first());
             Staged db = stageStrided(b, bOffset, layout.shape(), layout.second());
             Staged dout = Staged.allocate(context, n)) {
            context.launch1d(CudaKernels.BINARY_STRIDED, n, KernelArgs.of().i32(OpCodes.of(op)).i64(n)
                    .i64s(layout.pack()).ptr(da.at()).ptr(db.at()).ptr(dout.at()));
            dout.download(context, n, out, outOffset);
        }
    }

    @Override
    public void copyStrided(int[] shape, MemorySegment src, long srcOffset, long[] srcStrides,
                            MemorySegment dst, long dstOffset) {
        StridedLayout layout = StridedLayout.of(shape, srcStrides, new long[shape.length]);
        long n = layout.count();
        if (n == 0) return;
        try (CudaContext.Scope scope = context.enter();
             Staged dsrc = stageStrided(src, srcOffset, layout.shape(), layout.first());
             Staged ddst = Staged.allocate(context, n)) {
            context.launch1d(CudaKernels.COPY_STRIDED, n,
                    KernelArgs.of().i64(n).i64s(layout.pack()).ptr(dsrc.at()).ptr(ddst.at()));
            ddst.download(context, n, dst, dstOffset);
        }
    }

    private Staged stageStrided(MemorySegment host, long offset, long[] shape, long[] strides) {
        return Staged.upload(context, host, offset, StridedLayout.low(shape, strides), StridedLayout.high(shape, strides));
    }

    @Override
    public void fill(long n, float value, MemorySegment out, long outOffset) {
        if (n <= 0) return;
        try (CudaContext.Scope scope = context.enter(); Staged dout = Staged.allocate(context, n)) {
            context.launch1d(CudaKernels.FILL, n, KernelArgs.of().i64(n).f32(value).ptr(dout.at()));
            dout.download(context, n, out, outOffset);
        }
    }

    // ---- reductions --------------------------------------------------------------------------------------

    @Override
    public void reduce(ReduceOp op, int outer, int axis, int inner, MemorySegment x, long xOffset,
                       MemorySegment out, long outOffset) {
        long outputs = (long) outer * inner;
        if (outputs == 0) return;
        try (CudaContext.Scope scope = context.enter();
             Staged dx = Staged.upload(context, x, xOffset, outputs * axis);
             Staged dout = Staged.allocate(context, outputs)) {
            int code = OpCodes.of(op);
            if (inner == 1) {
                context.launch(CudaKernels.REDUCE_ROWS, outer, 1, 1, ROW_BLOCK,
                        KernelArgs.of().i32(code).i32(outer).i32(axis).ptr(dx.at()).ptr(dout.at()));
            } else {
                context.launch1d(CudaKernels.REDUCE_COLUMNS, outputs, KernelArgs.of().i32(code).i32(outer)
                        .i32(axis).i32(inner).ptr(dx.at()).ptr(dout.at()));
            }
            dout.download(context, outputs, out, outOffset);
        }
    }

    // ---- row-wise normalisations --------------------------------------------------------------------------

    @Override
    public void softmaxRows(int rows, int cols, MemorySegment x, long xOffset, MemorySegment out, long outOffset) {
        rowwise(CudaKernels.SOFTMAX, rows, cols, x, xOffset, out, outOffset);
    }

    @Override
    public void logSoftmaxRows(int rows, int cols, MemorySegment x, long xOffset, MemorySegment out, long outOffset) {
        rowwise(CudaKernels.LOG_SOFTMAX, rows, cols, x, xOffset, out, outOffset);
    }

    private void rowwise(KernelRef kernel, int rows, int cols, MemorySegment x, long xOffset,
                         MemorySegment out, long outOffset) {
        long n = (long) rows * cols;
        if (n == 0) return;
        try (CudaContext.Scope scope = context.enter();
             Staged dx = Staged.upload(context, x, xOffset, n);
             Staged dout = Staged.allocate(context, n)) {
            context.launch(kernel, rows, 1, 1, ROW_BLOCK,
                    KernelArgs.of().i32(rows).i32(cols).ptr(dx.at()).ptr(dout.at()));
            dout.download(context, n, out, outOffset);
        }
    }

    @Override
    public void softmaxBackwardRows(int rows, int cols, MemorySegment y, long yOffset, MemorySegment dy,
                                    long dyOffset, MemorySegment dx, long dxOffset) {
        rowwiseBackward(CudaKernels.SOFTMAX_BACKWARD, rows, cols, y, yOffset, dy, dyOffset, dx, dxOffset);
    }

    @Override
    public void logSoftmaxBackwardRows(int rows, int cols, MemorySegment y, long yOffset, MemorySegment dy,
                                       long dyOffset, MemorySegment dx, long dxOffset) {
        rowwiseBackward(CudaKernels.LOG_SOFTMAX_BACKWARD, rows, cols, y, yOffset, dy, dyOffset, dx, dxOffset);
    }

    private void rowwiseBackward(KernelRef kernel, int rows, int cols, MemorySegment y, long yOffset,
                                 MemorySegment dy, long dyOffset, MemorySegment dx, long dxOffset) {
        long n = (long) rows * cols;
        if (n == 0) return;
        try (CudaContext.Scope scope = context.enter();
             Staged dY = Staged.upload(context, y, yOffset, n);
             Staged dDy = Staged.upload(context, dy, dyOffset, n);
             Staged dDx = Staged.allocate(context, n)) {
            context.launch(kernel, rows, 1, 1, ROW_BLOCK,
                    KernelArgs.of().i32(rows).i32(cols).ptr(dY.at()).ptr(dDy.at()).ptr(dDx.at()));
            dDx.download(context, n, dx, dxOffset);
        }
    }

    @Override
    public void layerNormRows(int rows, int cols, float eps, MemorySegment x, long xOffset,
                              MemorySegment gamma, MemorySegment beta,
                              MemorySegment y, long yOffset, MemorySegment mean, MemorySegment rstd) {
        if (rows == 0) return;
        long n = (long) rows * cols;
        try (CudaContext.Scope scope = context.enter();
             Staged dx = Staged.upload(context, x, xOffset, n);
             Staged dGamma = Staged.uploadOptional(context, gamma, cols);
             Staged dBeta = Staged.uploadOptional(context, beta, cols);
             Staged dy = Staged.allocate(context, n);
             Staged dMean = Staged.allocate(context, rows);
             Staged dRstd = Staged.allocate(context, rows)) {
            context.launch(CudaKernels.LAYERNORM, rows, 1, 1, ROW_BLOCK, KernelArgs.of().i32(rows).i32(cols)
                    .f32(eps).ptr(dx.at()).ptr(Staged.at(dGamma)).ptr(Staged.at(dBeta)).ptr(dy.at())
                    .ptr(dMean.at()).ptr(dRstd.at()));
            dy.download(context, n, y, yOffset);
            if (mean != null) dMean.download(context, rows, mean, 0);
            if (rstd != null) dRstd.download(context, rows, rstd, 0);
        }
    }

    @Override
    public void layerNormBackwardRows(int rows, int cols, MemorySegment x, long xOffset,
                                      MemorySegment mean, MemorySegment rstd, MemorySegment gamma,
                                      MemorySegment dy, long dyOffset, MemorySegment dx, long dxOffset,
                                      MemorySegment dgamma, MemorySegment dbeta) {
        if (rows == 0 || cols == 0) return;
        long n = (long) rows * cols;
        try (CudaContext.Scope scope = context.enter();
             Staged dX = Staged.upload(context, x, xOffset, n);
             Staged dMean = Staged.upload(context, mean, 0, rows);
             Staged dRstd = Staged.upload(context, rstd, 0, rows);
             Staged dGamma = Staged.uploadOptional(context, gamma, cols);
             Staged dDy = Staged.upload(context, dy, dyOffset, n);
             Staged dDx = Staged.allocate(context, n);
             Staged dDgamma = Staged.uploadOptional(context, dgamma, cols);
             Staged dDbeta = Staged.uploadOptional(context, dbeta, cols)) {
            context.launch(CudaKernels.LAYERNORM_BACKWARD, rows, 1, 1, ROW_BLOCK, KernelArgs.of().i32(rows)
                    .i32(cols).ptr(dX.at()).ptr(dMean.at()).ptr(dRstd.at()).ptr(Staged.at(dGamma))
                    .ptr(dDy.at()).ptr(dDx.at()));
            if (dgamma != null || dbeta != null) {
                context.launch(CudaKernels.LAYERNORM_PARAM_GRADS, ColumnTiles.blocks(cols), 1, 1, ColumnTiles.BLOCK,
                        KernelArgs.of().i32(rows).i32(cols)
                        .ptr(dX.at()).ptr(dMean.at()).ptr(dRstd.at()).ptr(dDy.at())
                        .ptr(Staged.at(dDgamma)).ptr(Staged.at(dDbeta)));
            }
            dDx.download(context, n, dx, dxOffset);
            if (dgamma != null) dDgamma.download(context, cols, dgamma, 0);
            if (dbeta != null) dDbeta.download(context, cols, dbeta, 0);
        }
    }

    @Override
    public void ropeRows(int rows, int tokens, int dim, MemorySegment x, long xOffset, MemorySegment cos,
                         MemorySegment sin, MemorySegment out, long outOffset) {
        if (rows == 0 || dim == 0) return;
        long n = (long) rows * dim, table = (long) tokens * dim;
        try (CudaContext.Scope scope = context.enter();
             Staged dX = Staged.upload(context, x, xOffset, n);
             Staged dCos = Staged.upload(context, cos, 0, table);
             Staged dSin = Staged.upload(context, sin, 0, table);
             Staged dOut = Staged.allocate(context, n)) {
            context.launch1d(CudaKernels.ROPE, n / 2, KernelArgs.of().i32(rows).i32(tokens).i32(dim)
                    .ptr(dX.at()).ptr(dCos.at()).ptr(dSin.at()).ptr(dOut.at()));
            dOut.download(context, n, out, outOffset);
        }
    }

    @Override
    public void rmsNormRows(int rows, int cols, float eps, MemorySegment x, long xOffset, MemorySegment weight,
                            MemorySegment y, long yOffset, MemorySegment rstd) {
        if (rows == 0) return;
        long n = (long) rows * cols;
        try (CudaContext.Scope scope = context.enter();
             Staged dx = Staged.upload(context, x, xOffset, n);
             Staged dWeight = Staged.uploadOptional(context, weight, cols);
             Staged dy = Staged.allocate(context, n);
             Staged dRstd = Staged.allocate(context, rows)) {
            context.launch(CudaKernels.RMSNORM, rows, 1, 1, ROW_BLOCK, KernelArgs.of().i32(rows).i32(cols)
                    .f32(eps).ptr(dx.at()).ptr(Staged.at(dWeight)).ptr(dy.at()).ptr(dRstd.at()));
            dy.download(context, n, y, yOffset);
            if (rstd != null) dRstd.download(context, rows, rstd, 0);
        }
    }

    @Override
    public void rmsNormBackwardRows(int rows, int cols, MemorySegment x, long xOffset, MemorySegment rstd,
                                    MemorySegment weight, MemorySegment dy, long dyOffset, MemorySegment dx,
                                    long dxOffset, MemorySegment dweight) {
        if (rows == 0 || cols == 0) return;
        long n = (long) rows * cols;
        try (CudaContext.Scope scope = context.enter();
             Staged dX = Staged.upload(context, x, xOffset, n);
             Staged dRstd = Staged.upload(context, rstd, 0, rows);
             Staged dWeight = Staged.uploadOptional(context, weight, cols);
             Staged dDy = Staged.upload(context, dy, dyOffset, n);
             Staged dDx = Staged.allocate(context, n);
             Staged dDweight = Staged.uploadOptional(context, dweight, cols)) {
            context.launch(CudaKernels.RMSNORM_BACKWARD, rows, 1, 1, ROW_BLOCK, KernelArgs.of().i32(rows)
                    .i32(cols).ptr(dX.at()).ptr(dRstd.at()).ptr(Staged.at(dWeight)).ptr(dDy.at()).ptr(dDx.at()));
            if (dweight != null) {
                // Layer norm's gamma gradient with no mean (a null pointer) is the RMS weight gradient.
                context.launch(CudaKernels.LAYERNORM_PARAM_GRADS, ColumnTiles.blocks(cols), 1, 1, ColumnTiles.BLOCK,
                        KernelArgs.of().i32(rows).i32(cols)
                        .ptr(dX.at()).ptr(null).ptr(dRstd.at()).ptr(dDy.at()).ptr(dDweight.at()).ptr(null));
                dDweight.download(context, cols, dweight, 0);
            }
            dDx.download(context, n, dx, dxOffset);
        }
    }

    // ---- selection ---------------------------------------------------------------------------------------

    @Override
    public float kthLargestAbs(long n, long k, MemorySegment x, long xOffset) {
        if (k < 1 || k > n) throw new IllegalArgumentException("k must be in [1, " + n + "], got " + k);
        try (CudaContext.Scope scope = context.enter(); Staged dx = Staged.upload(context, x, xOffset, n)) {
            return Float.intBitsToFloat(CudaSelection.select(context, n, k, dx.at()).thresholdBits());
        }
    }

    // ---- merge sweeps ------------------------------------------------------------------------------------

    /**
     * On the host, with the Vector API. {@link CudaMerge} has device versions of top-k pruning and the TIES
     * merge, but not of rank windows (breadcrumbs), of every election and divisor, or with weights in double;
     * until it does, a round trip per call would also cost more than these memory-bound sweeps take here.
     */
    @Override
    public MergeSweeps mergeSweeps() {
        return hostSweeps;
    }
}
