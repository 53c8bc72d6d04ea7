package amalgam.kernels.ffm;

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

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Every {@link Backend} operation computed by the C kernels of {@code native/cpu} (OpenMP threads inside C),
 * reached through FFM. A reference and benchmark peer for the Vector API backend: same contract, same tests.
 * Every extent is bounds-checked before C sees a pointer. Operands may be heap segments (over Java arrays);
 * such calls run as critical downcalls, which hold up garbage collection while they run, so large data
 * belongs off-heap.
 *
 * <p>Calls are thread-safe, but OpenMP keeps a team of threads per calling thread: call from few threads
 * (the engine's one compute thread) rather than from a pool, or the process collects idle OpenMP teams.
 */
public final class NativeBackend implements Backend, GemmDelegation, MergeSweepsDelegation {

    private final int threads;
    private final NativeGemm gemm;
    private final NativeMergeSweeps sweeps;

    /** @throws IllegalStateException when {@link NativeLibrary#isAvailable()} is false */
    public NativeBackend(int threads) {
        this.gemm = new NativeGemm(threads);
        this.sweeps = new NativeMergeSweeps(threads);
        this.threads = threads;
    }

    /** Uses every core. */
    public NativeBackend() {
        this(WorkerPool.availableCores());
    }

    @Override
    public String name() {
        return "native";
    }

    @Override
    public int threads() {
        return threads;
    }

    @Override
    public Gemm gemmKernel() {
        return gemm;
    }

    // ---- elementwise -------------------------------------------------------------------------------------

    @Override
    public void unary(UnaryOp op, long n, MemorySegment x, long xOffset, MemorySegment out, long outOffset) {
        MemorySegment xs = Operands.elements(x, xOffset, n, "x");
        MemorySegment os = Operands.elements(out, outOffset, n, "out");
        try {
            MethodHandle call = NativeKernels.ElementwiseCalls.UNARY.forWork(n, Operands.onHeap(x, out));
            call.invokeExact(OpCodes.of(op), n, xs, os, threads);
        } catch (Throwable t) {
            throw NativeKernels.rethrow(t);
        }
    }

    @Override
    public void affine(long n, float scale, float shift, MemorySegment x, long xOffset,
                       MemorySegment out, long outOffset) {
        MemorySegment xs = Operands.elements(x, xOffset, n, "x");
        MemorySegment os = Operands.elements(out, outOffset, n, "out");
        try {
            MethodHandle call = NativeKernels.ElementwiseCalls.AFFINE.forWork(n, Operands.onHeap(x, out));
            call.invokeExact(n, scale, shift, xs, os, threads);
        } catch (Throwable t) {
            throw NativeKernels.rethrow(t);
        }
    }

    @Override
    public void binary(BinaryOp op, int[] shape, MemorySegment a, long aOffset, long[] aStrides,
                       MemorySegment b, long bOffset, long[] bStrides, MemorySegment out, long outOffset) {
        long count = Operands.count(shape);
        if (count == 0) return;
        StridedView av = StridedView.of(shape, a, aOffset, aStrides, "a");
        StridedView bv = StridedView.of(shape, b, bOffset, bStrides, "b");
        MemorySegment os = Operands.elements(out, outOffset, count, "out");
        ShapeArguments args = ShapeArguments.of(shape, aStrides, bStrides);
        try {
            MethodHandle call = NativeKernels.ElementwiseCalls.BINARY.forWork(count, Operands.onHeap(a, b, out));
            call.invokeExact(OpCodes.of(op), shape.length, args.shape, av.slice(), av.origin(),
                    args.firstStrides, bv.slice(), bv.origin(), args.secondStrides, os, threads);
        } catch (Throwable t) {
            throw NativeKernels.rethrow(t);
        }
    }

    @Override
    public void copyStrided(int[] shape, MemorySegment src, long srcOffset, long[] srcStrides,
                            MemorySegment dst, long dstOffset) {
        long count = Operands.count(shape);
        if (count == 0) return;
        StridedView sv = StridedView.of(shape, src, srcOffset, srcStrides, "src");
        MemorySegment ds = Operands.elements(dst, dstOffset, count, "dst");
        ShapeArguments args = ShapeArguments.of(shape, srcStrides, null);
        try {
            MethodHandle call = NativeKernels.ElementwiseCalls.COPY_STRIDED.forWork(count, Operands.onHeap(src, dst));
            call.invokeExact(shape.length, args.shape, sv.slice(), sv.origin(), args.firstStrides, ds, threads);
        } catch (Throwable t) {
            throw NativeKernels.rethrow(t);
        }
    }

    @Override
    public void fill(long n, float value, MemorySegment out, long outOffset) {
        MemorySegment os = Operands.elements(out, outOffset, n, "out");
        try {
            MethodHandle call = NativeKernels.ElementwiseCalls.FILL.forWork(n, Operands.onHeap(out));
            call.invokeExact(n, value, os, threads);
        } catch (Throwable t) {
            throw NativeKernels.rethrow(t);
        }
    }

    // ---- reductions --------------------------------------------------------------------------------------

    @Override
    public void reduce(ReduceOp op, int outer, int axis, int inner, MemorySegment x, long xOffset,
                       MemorySegment out, long outOffset) {
        if (outer < 0 || axis < 0 || inner < 0) throw new IllegalArgumentException("negative reduce extent");
        long in = (long) outer * axis * inner;
        MemorySegment xs = Operands.elements(x, xOffset, in, "x");
        MemorySegment os = Operands.elements(out, outOffset, (long) outer * inner, "out");
        try {
            MethodHandle call = NativeKernels.ElementwiseCalls.REDUCE.forWork(in, Operands.onHeap(x, out));
            call.invokeExact(OpCodes.of(op), outer, axis, inner, xs, os, threads);
        } catch (Throwable t) {
            throw NativeKernels.rethrow(t);
        }
    }

    // ---- row-wise normalisations --------------------------------------------------------------------------

    @Override
    public void softmaxRows(int rows, int cols, MemorySegment x, long xOffset, MemorySegment out, long outOffset) {
        rowsForward(NativeKernels.RowCalls.SOFTMAX_ROWS, rows, cols, x, xOffset, out, outOffset);
    }

    @Override
    public void logSoftmaxRows(int rows, int cols, MemorySegment x, long xOffset,
                               MemorySegment out, long outOffset) {
        rowsForward(NativeKernels.RowCalls.LOG_SOFTMAX_ROWS, rows, cols, x, xOffset, out, outOffset);
    }

    @Override
    public void softmaxBackwardRows(int rows, int cols, MemorySegment y, long yOffset,
                                    MemorySegment dy, long dyOffset, MemorySegment dx, long dxOffset) {
        rowsBackward(NativeKernels.RowCalls.SOFTMAX_BACKWARD_ROWS, rows, cols, y, yOffset, dy, dyOffset, dx, dxOffset);
    }

    @Override
    public void logSoftmaxBackwardRows(int rows, int cols, MemorySegment y, long yOffset,
                                       MemorySegment dy, long dyOffset, MemorySegment dx, long dxOffset) {
        rowsBackward(NativeKernels.RowCalls.LOG_SOFTMAX_BACKWARD_ROWS, rows, cols, y, yOffset, dy, dyOffset, dx, dxOffset);
    }

    private void rowsForward(NativeKernels.Downcall kernel, int rows, int cols, MemorySegment x, long xOffset,
                             MemorySegment out, long outOffset) {
        long count = blockSize(rows, cols);
        MemorySegment xs = Operands.elements(x, xOffset, count, "x");
        MemorySegment os = Operands.elements(out, outOffset, count, "out");
        try {
            MethodHandle call = kernel.forWork(count, Operands.onHeap(x, out));
            call.invokeExact(rows, cols, xs, os, threads);
        } catch (Throwable t) {
            throw NativeKernels.rethrow(t);
        }
    }

    private void rowsBackward(NativeKernels.Downcall kernel, int rows, int cols, MemorySegment y, long yOffset,
                              MemorySegment dy, long dyOffset, MemorySegment dx, long dxOffset) {
        long count = blockSize(rows, cols);
        MemorySegment ys = Operands.elements(y, yOffset, count, "y");
        MemorySegment dys = Operands.elements(dy, dyOffset, count, "dy");
        MemorySegment dxs = Operands.elements(dx, dxOffset, count, "dx");
        try {
            MethodHandle call = kernel.forWork(count, Operands.onHeap(y, dy, dx));
            call.invokeExact(rows, cols, ys, dys, dxs, threads);
        } catch (Throwable t) {
            throw NativeKernels.rethrow(t);
        }
    }

    @Override
    public void layerNormRows(int rows, int cols, float eps, MemorySegment x, long xOffset,
                              MemorySegment gamma, MemorySegment beta,
                              MemorySegment y, long yOffset, MemorySegment mean, MemorySegment rstd) {
        long count = blockSize(rows, cols);
        MemorySegment xs = Operands.elements(x, xOffset, count, "x");
        MemorySegment gs = Operands.optional(gamma, 0, cols, "gamma");
        MemorySegment bs = Operands.optional(beta, 0, cols, "beta");
        MemorySegment ys = Operands.elements(y, yOffset, count, "y");
        MemorySegment ms = Operands.optional(mean, 0, rows, "mean");
        MemorySegment rs = Operands.optional(rstd, 0, rows, "rstd");
        try {
            MethodHandle call = NativeKernels.RowCalls.LAYER_NORM_ROWS.forWork(count,
                    Operands.onHeap(x, gamma, beta, y, mean, rstd));
            call.invokeExact(rows, cols, eps, xs, gs, bs, ys, ms, rs, threads);
        } catch (Throwable t) {
            throw NativeKernels.rethrow(t);
        }
    }

    @Override
    public void layerNormBackwardRows(int rows, int cols, MemorySegment x, long xOffset,
                                      MemorySegment mean, MemorySegment rstd, MemorySegment gamma,
                                      MemorySegment dy, long dyOffset, MemorySegment dx, long dxOffset,
                                      MemorySegment dgamma, MemorySegment dbeta) {
        long count = blockSize(rows, cols);
        MemorySegment xs = Operands.elements(x, xOffset, count, "x");
        MemorySegment ms = Operands.elements(mean, 0, rows, "mean");
        MemorySegment rs = Operands.elements(rstd, 0, rows, "rstd");
        MemorySegment gs = Operands.optional(gamma, 0, cols, "gamma");
        MemorySegment dys = Operands.elements(dy, dyOffset, count, "dy");
        MemorySegment dxs = Operands.elements(dx, dxOffset, count, "dx");
        MemorySegment dgs = Operands.optional(dgamma, 0, cols, "dgamma");
        MemorySegment dbs = Operands.optional(dbeta, 0, cols, "dbeta");
        try {
            MethodHandle call = NativeKernels.RowCalls.LAYER_NORM_BACKWARD_ROWS.forWork(count,
                    Operands.onHeap(x, mean, rstd, gamma, dy, dx, dgamma, dbeta));
            call.invokeExact(rows, cols, xs, ms, rs, gs, dys, dxs, dgs, dbs, threads);
        } catch (Throwable t) {
            throw NativeKernels.rethrow(t);
        }
    }

    @Override
    public void ropeRows(int rows, int tokens, int dim, MemorySegment x, long xOffset, MemorySegment cos,
                         MemorySegment sin, MemorySegment out, long outOffset) {
        long count = blockSize(rows, dim);
        MemorySegment xs = Operands.elements(x, xOffset, count, "x");
        MemorySegment cs = Operands.elements(cos, 0, (long) tokens * dim, "cos");
        MemorySegment ss = Operands.elements(sin, 0, (long) tokens * dim, "sin");
        MemorySegment os = Operands.elements(out, outOffset, count, "out");
        try {
            MethodHandle call = NativeKernels.RowCalls.ROPE_ROWS.forWork(count, Operands.onHeap(x, cos, sin, out));
            call.invokeExact(rows, tokens, dim, xs, cs, ss, os, threads);
        } catch (Throwable t) {
            throw NativeKernels.rethrow(t);
        }
    }

    @Override
    public void rmsNormRows(int rows, int cols, float eps, MemorySegment x, long xOffset, MemorySegment weight,
                            MemorySegment y, long yOffset, MemorySegment rstd) {
        long count = blockSize(rows, cols);
        MemorySegment xs = Operands.elements(x, xOffset, count, "x");
        MemorySegment ws = Operands.optional(weight, 0, cols, "weight");
        MemorySegment ys = Operands.elements(y, yOffset, count, "y");
        MemorySegment rs = Operands.optional(rstd, 0, rows, "rstd");
        try {
            MethodHandle call = NativeKernels.RowCalls.RMS_NORM_ROWS.forWork(count, Operands.onHeap(x, weight, y, rstd));
            call.invokeExact(rows, cols, eps, xs, ws, ys, rs, threads);
        } catch (Throwable t) {
            throw NativeKernels.rethrow(t);
        }
    }

    @Override
    public void rmsNormBackwardRows(int rows, int cols, MemorySegment x, long xOffset, MemorySegment rstd,
                                    MemorySegment weight, MemorySegment dy, long dyOffset, MemorySegment dx,
                                    long dxOffset, MemorySegment dweight) {
        long count = blockSize(rows, cols);
        MemorySegment xs = Operands.elements(x, xOffset, count, "x");
        MemorySegment rs = Operands.elements(rstd, 0, rows, "rstd");
        MemorySegment ws = Operands.optional(weight, 0, cols, "weight");
        MemorySegment dys = Operands.elements(dy, dyOffset, count, "dy");
        MemorySegment dxs = Operands.elements(dx, dxOffset, count, "dx");
        MemorySegment dws = Operands.optional(dweight, 0, cols, "dweight");
        try {
            MethodHandle call = NativeKernels.RowCalls.RMS_NORM_BACKWARD_ROWS.forWork(count,
                    Operands.onHeap(x, rstd, weight, dy, dx, dweight));
            call.invokeExact(rows, cols, xs, rs, ws, dys, dxs, dws, threads);
        } catch (Throwable t) {
            throw NativeKernels.rethrow(t);
        }
    }

    // ---- selection ---------------------------------------------------------------------------------------

    @Override
    public float kthLargestAbs(long n, long k, MemorySegment x, long xOffset) {
        if (k < 1 || k > n) throw new IllegalArgumentException("k = " + k + " must lie in [1, " + n + "]");
        MemorySegment xs = Operands.elements(x, xOffset, n, "x");
        try {
            MethodHandle call = NativeKernels.MergeCalls.KTH_LARGEST_ABS.forWork(n, Operands.onHeap(x));
            return (float) call.invokeExact(n, k, xs, threads);
        } catch (Throwable t) {
            throw NativeKernels.rethrow(t);
        }
    }

    // ---- merge sweeps ------------------------------------------------------------------------------------

    @Override
    public MergeSweeps mergeSweeps() {
        return sweeps;
    }

    private static long blockSize(int rows, int cols) {
        if (rows < 0 || cols < 0) throw new IllegalArgumentException("negative rows or cols");
        return (long) rows * cols;
    }
}
