package amalgam.kernels.cpu;

import amalgam.kernels.Backend;
import amalgam.kernels.GemmDelegation;
import amalgam.kernels.MergeSweeps;
import amalgam.kernels.MergeSweepsDelegation;
import amalgam.kernels.BinaryOp;
import amalgam.kernels.Gemm;
import amalgam.kernels.ReduceOp;
import amalgam.kernels.UnaryOp;
import amalgam.kernels.WorkerPool;

import java.lang.foreign.MemorySegment;

/**
 * The default {@link Backend}: Java Vector API loops, spread over a {@link WorkerPool} when an operation is
 * large enough to pay for it. Small operations (most of a training step) run on the calling thread with no
 * allocation; only the parallel path creates a task object per call, which is noise beside ≥ 32K elements.
 *
 * <p>Matrix products go to the {@link Gemm} given at construction. The kernels live beside this class, one
 * job each: {@link UnaryLoops} and {@link VectorMath} (elementwise functions), {@link BinaryLoops},
 * {@link StridedPlan} and {@link StridedLoops} (broadcasting, gathers, transposes), {@link Reductions},
 * {@link Softmax}, {@link LayerNorm}, {@link AbsRadixSelect} (k-th largest magnitude) and
 * {@link VectorMergeSweeps} (pruning and elected means for the merges). This class only
 * decides how to split the work.
 */
public final class CpuBackend implements Backend, GemmDelegation, MergeSweepsDelegation {

    /** Below this many elements (or element-visits) an operation runs on the caller alone. */
    private static final long PARALLEL_THRESHOLD = 1 << 15;
    /** Smallest share of work handed to one task. */
    private static final long MIN_CHUNK = 1 << 14;
    /** Tasks per thread: indices are handed out dynamically, so a few per thread even out stragglers. */
    private static final int TASKS_PER_THREAD = 4;
    /** Chunk boundaries fall on multiples of this many elements (a cache line's worth of vectors). */
    private static final long ALIGN = 64;

    private final WorkerPool pool;
    private final Gemm gemm;
    private final VectorMergeSweeps sweeps;
    private final int threads;

    public CpuBackend(WorkerPool pool, Gemm gemm) {
        this.pool = pool;
        this.gemm = gemm;
        this.sweeps = new VectorMergeSweeps(pool);
        this.threads = pool.threads();
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public int threads() {
        return threads;
    }

    /** Number of tasks to split {@code work} element-visits into; 1 means run on the caller. */
    private int tasks(long work) {
        if (threads == 1 || work < PARALLEL_THRESHOLD) return 1;
        return (int) Math.max(1, Math.min((long) threads * TASKS_PER_THREAD, work / MIN_CHUNK));
    }

    /** Start of chunk {@code c} of {@code tasks} over [0, n), aligned so vectors do not straddle chunks. */
    private static long chunkStart(long n, int c, int tasks) {
        if (c >= tasks) return n;
        return Math.min(n, (n / tasks * c) / ALIGN * ALIGN);
    }

    // ---- matrix products ---------------------------------------------------------------------------------

    @Override
    public Gemm gemmKernel() {
        return gemm;
    }

    // ---- elementwise -------------------------------------------------------------------------------------

    @Override
    public void unary(UnaryOp op, long n, MemorySegment x, long xOffset, MemorySegment out, long outOffset) {
        int tasks = tasks(n);
        if (tasks == 1) {
            UnaryLoops.apply(op, n, x, xOffset, out, outOffset);
            return;
        }
        pool.parallelFor(tasks, c -> {
            long from = chunkStart(n, c, tasks), to = chunkStart(n, c + 1, tasks);
            UnaryLoops.apply(op, to - from, x, xOffset + from, out, outOffset + from);
        });
    }

    @Override
    public void affine(long n, float scale, float shift, MemorySegment x, long xOffset,
                       MemorySegment out, long outOffset) {
        int tasks = tasks(n);
        if (tasks == 1) {
            Elementwise.affine(n, scale, shift, x, xOffset, out, outOffset);
            return;
        }
        pool.parallelFor(tasks, c -> {
            long from = chunkStart(n, c, tasks), to = chunkStart(n, c + 1, tasks);
            Elementwise.affine(to - from, scale, shift, x, xOffset + from, out, outOffset + from);
        });
    }

    @Override
    public void fill(long n, float value, MemorySegment out, long outOffset) {
        int tasks = tasks(n);
        if (tasks == 1) {
            Elementwise.fill(n, value, out, outOffset);
            return;
        }
        pool.parallelFor(tasks, c -> {
            long from = chunkStart(n, c, tasks), to = chunkStart(n, c + 1, tasks);
            Elementwise.fill(to - from, value, out, outOffset + from);
        });
    }

    @Override
    public void binary(BinaryOp op, int[] shape, MemorySegment a, long aOffset, long[] aStrides,
                       MemorySegment b, long bOffset, long[] bStrides, MemorySegment out, long outOffset) {
        StridedPlan plan = StridedPlan.forThisThread().build(shape, aStrides, bStrides);
        long n = plan.count();
        if (n == 0) return;
        int tasks = tasks(n);
        if (tasks == 1) {
            StridedLoops.binary(op, plan, a, aOffset, b, bOffset, out, outOffset, 0, n);
            return;
        }
        pool.parallelFor(tasks, c -> StridedLoops.binary(op, plan, a, aOffset, b, bOffset, out, outOffset,
                chunkStart(n, c, tasks), chunkStart(n, c + 1, tasks)));
    }

    @Override
    public void copyStrided(int[] shape, MemorySegment src, long srcOffset, long[] srcStrides,
                            MemorySegment dst, long dstOffset) {
        StridedPlan plan = StridedPlan.forThisThread().build(shape, srcStrides, null);
        long n = plan.count();
        if (n == 0) return;
        int tasks = tasks(n);
        if (StridedLoops.isTranspose(plan)) {
            long bands = StridedLoops.transposeBands(plan);
            int bandTasks = (int) Math.min(tasks, bands);
            if (bandTasks <= 1) {
                StridedLoops.transposeBands(plan, src, srcOffset, dst, dstOffset, 0, bands);
            } else {
                pool.parallelFor(bandTasks, c -> StridedLoops.transposeBands(plan, src, srcOffset, dst, dstOffset,
                        bands * c / bandTasks, bands * (c + 1) / bandTasks));
            }
            return;
        }
        if (tasks == 1) {
            StridedLoops.gather(plan, src, srcOffset, dst, dstOffset, 0, n);
            return;
        }
        pool.parallelFor(tasks, c -> StridedLoops.gather(plan, src, srcOffset, dst, dstOffset,
                chunkStart(n, c, tasks), chunkStart(n, c + 1, tasks)));
    }

    // ---- reductions --------------------------------------------------------------------------------------

    @Override
    public void reduce(ReduceOp op, int outer, int axis, int inner, MemorySegment x, long xOffset,
                       MemorySegment out, long outOffset) {
        long work = (long) outer * axis * inner;
        int tasks = tasks(work);
        if (tasks == 1) {
            Reductions.reduce(op, axis, inner, x, xOffset, out, outOffset, 0, outer, 0, inner);
        } else if (outer >= tasks) {
            pool.parallelFor(tasks, c -> Reductions.reduce(op, axis, inner, x, xOffset, out, outOffset,
                    (int) ((long) outer * c / tasks), (int) ((long) outer * (c + 1) / tasks), 0, inner));
        } else if (inner > 1) {
            // Few outer rows: split each row's columns instead, on vector boundaries.
            int t = (int) Math.min(tasks, Math.max(1, inner / 64));
            pool.parallelFor(t, c -> Reductions.reduce(op, axis, inner, x, xOffset, out, outOffset, 0, outer,
                    (int) chunkStart(inner, c, t), (int) chunkStart(inner, c + 1, t)));
        } else {
            reduceLongAxes(op, outer, axis, x, xOffset, out, outOffset, tasks);
        }
    }

    /** inner == 1 with few rows: each row's axis is split among tasks and the partials combined. */
    private void reduceLongAxes(ReduceOp op, int outer, int axis, MemorySegment x, long xOffset,
                                MemorySegment out, long outOffset, int tasks) {
        double[] partial = new double[tasks];
        for (int o = 0; o < outer; o++) {
            long base = xOffset + (long) o * axis;
            pool.parallelFor(tasks, c -> {
                long from = chunkStart(axis, c, tasks), to = chunkStart(axis, c + 1, tasks);
                partial[c] = op == ReduceOp.MAX
                        ? Reductions.max(to - from, x, base + from)
                        : Reductions.sum(to - from, x, base + from);
            });
            double v = op == ReduceOp.MAX ? Double.NEGATIVE_INFINITY : 0;
            for (double p : partial) v = op == ReduceOp.MAX ? Math.max(v, p) : v + p;
            Elementwise.set(out, outOffset + o, (float) (op == ReduceOp.MEAN ? v / axis : v));
        }
    }

    // ---- row-wise normalisations --------------------------------------------------------------------------

    /** Number of row-range tasks for a rows×cols operation; 1 means run on the caller. */
    private int rowTasks(int rows, int cols) {
        int tasks = tasks((long) rows * cols);
        return tasks == 1 || rows < 2 ? 1 : Math.min(tasks, rows);
    }

    @Override
    public void softmaxRows(int rows, int cols, MemorySegment x, long xOffset, MemorySegment out, long outOffset) {
        int tasks = rowTasks(rows, cols);
        if (tasks == 1) {
            Softmax.forward(cols, x, xOffset, out, outOffset, 0, rows);
            return;
        }
        pool.parallelFor(tasks, c -> Softmax.forward(cols, x, xOffset, out, outOffset,
                rowStart(rows, c, tasks), rowStart(rows, c + 1, tasks)));
    }

    @Override
    public void logSoftmaxRows(int rows, int cols, MemorySegment x, long xOffset,
                               MemorySegment out, long outOffset) {
        int tasks = rowTasks(rows, cols);
        if (tasks == 1) {
            Softmax.logForward(cols, x, xOffset, out, outOffset, 0, rows);
            return;
        }
        pool.parallelFor(tasks, c -> Softmax.logForward(cols, x, xOffset, out, outOffset,
                rowStart(rows, c, tasks), rowStart(rows, c + 1, tasks)));
    }

    @Override
    public void softmaxBackwardRows(int rows, int cols, MemorySegment y, long yOffset, MemorySegment dy,
                                    long dyOffset, MemorySegment dx, long dxOffset) {
        int tasks = rowTasks(rows, cols);
        if (tasks == 1) {
            Softmax.backward(cols, y, yOffset, dy, dyOffset, dx, dxOffset, 0, rows);
            return;
        }
        pool.parallelFor(tasks, c -> Softmax.backward(cols, y, yOffset, dy, dyOffset, dx, dxOffset,
                rowStart(rows, c, tasks), rowStart(rows, c + 1, tasks)));
    }

    @Override
    public void logSoftmaxBackwardRows(int rows, int cols, MemorySegment y, long yOffset, MemorySegment dy,
                                       long dyOffset, MemorySegment dx, long dxOffset) {
        int tasks = rowTasks(rows, cols);
        if (tasks == 1) {
            Softmax.logBackward(cols, y, yOffset, dy, dyOffset, dx, dxOffset, 0, rows);
            return;
        }
        pool.parallelFor(tasks, c -> Softmax.logBackward(cols, y, yOffset, dy, dyOffset, dx, dxOffset,
                rowStart(rows, c, tasks), rowStart(rows, c + 1, tasks)));
    }

    @Override
    public void layerNormRows(int rows, int cols, float eps, MemorySegment x, long xOffset,
                              MemorySegment gamma, MemorySegment beta,
                              MemorySegment y, long yOffset, MemorySegment mean, MemorySegment rstd) {
        int tasks = rowTasks(rows, cols);
        if (tasks == 1) {
            LayerNorm.forward(cols, eps, x, xOffset, gamma, beta, y, yOffset, mean, rstd, 0, rows);
            return;
        }
        pool.parallelFor(tasks, c -> LayerNorm.forward(cols, eps, x, xOffset, gamma, beta, y, yOffset, mean, rstd,
                rowStart(rows, c, tasks), rowStart(rows, c + 1, tasks)));
    }

    @Override
    public void layerNormBackwardRows(int rows, int cols, MemorySegment x, long xOffset,
                                      MemorySegment mean, MemorySegment rstd, MemorySegment gamma,
                                      MemorySegment dy, long dyOffset, MemorySegment dx, long dxOffset,
                                      MemorySegment dgamma, MemorySegment dbeta) {
        // Parameter gradients first: they read dy, which dx may overwrite.
        if (dgamma != null || dbeta != null) {
            normParameterGradients(rows, cols, x, xOffset, mean, rstd, dy, dyOffset, dgamma, dbeta);
        }
        int tasks = rowTasks(rows, cols);
        if (tasks == 1) {
            LayerNorm.inputGradient(cols, x, xOffset, mean, rstd, gamma, dy, dyOffset, dx, dxOffset, 0, rows);
            return;
        }
        pool.parallelFor(tasks, c -> LayerNorm.inputGradient(cols, x, xOffset, mean, rstd, gamma, dy, dyOffset,
                dx, dxOffset, rowStart(rows, c, tasks), rowStart(rows, c + 1, tasks)));
    }

    @Override
    public void ropeRows(int rows, int tokens, int dim, MemorySegment x, long xOffset, MemorySegment cos,
                         MemorySegment sin, MemorySegment out, long outOffset) {
        int tasks = rowTasks(rows, dim);
        if (tasks == 1) {
            Rope.rotate(tokens, dim, x, xOffset, cos, sin, out, outOffset, 0, rows);
            return;
        }
        pool.parallelFor(tasks, c -> Rope.rotate(tokens, dim, x, xOffset, cos, sin, out, outOffset,
                rowStart(rows, c, tasks), rowStart(rows, c + 1, tasks)));
    }

    @Override
    public void rmsNormRows(int rows, int cols, float eps, MemorySegment x, long xOffset, MemorySegment weight,
                            MemorySegment y, long yOffset, MemorySegment rstd) {
        int tasks = rowTasks(rows, cols);
        if (tasks == 1) {
            RmsNorm.forward(cols, eps, x, xOffset, weight, y, yOffset, rstd, 0, rows);
            return;
        }
        pool.parallelFor(tasks, c -> RmsNorm.forward(cols, eps, x, xOffset, weight, y, yOffset, rstd,
                rowStart(rows, c, tasks), rowStart(rows, c + 1, tasks)));
    }

    @Override
    public void rmsNormBackwardRows(int rows, int cols, MemorySegment x, long xOffset, MemorySegment rstd,
                                    MemorySegment weight, MemorySegment dy, long dyOffset, MemorySegment dx,
                                    long dxOffset, MemorySegment dweight) {
        // The weight gradient first: it reads dy, which dx may overwrite. It is layer norm's gamma gradient
        // with a mean of zero.
        if (dweight != null) normParameterGradients(rows, cols, x, xOffset, null, rstd, dy, dyOffset, dweight, null);
        int tasks = rowTasks(rows, cols);
        if (tasks == 1) {
            RmsNorm.inputGradient(cols, x, xOffset, rstd, weight, dy, dyOffset, dx, dxOffset, 0, rows);
            return;
        }
        pool.parallelFor(tasks, c -> RmsNorm.inputGradient(cols, x, xOffset, rstd, weight, dy, dyOffset,
                dx, dxOffset, rowStart(rows, c, tasks), rowStart(rows, c + 1, tasks)));
    }

    /** {@link LayerNorm#parameterGradients} split by columns, so that each task owns its sums. */
    private void normParameterGradients(int rows, int cols, MemorySegment x, long xOffset, MemorySegment mean,
                                        MemorySegment rstd, MemorySegment dy, long dyOffset,
                                        MemorySegment dgamma, MemorySegment dbeta) {
        int colTasks = (int) Math.min(tasks((long) rows * cols), Math.max(1, cols / 64));
        if (colTasks <= 1) {
            LayerNorm.parameterGradients(rows, cols, x, xOffset, mean, rstd, dy, dyOffset, dgamma, dbeta, 0, cols);
            return;
        }
        pool.parallelFor(colTasks, c -> LayerNorm.parameterGradients(rows, cols, x, xOffset, mean, rstd,
                dy, dyOffset, dgamma, dbeta,
                (int) chunkStart(cols, c, colTasks), (int) chunkStart(cols, c + 1, colTasks)));
    }

    private static int rowStart(int rows, int c, int tasks) {
        return (int) ((long) rows * c / tasks);
    }

    // ---- selection ---------------------------------------------------------------------------------------

    @Override
    public float kthLargestAbs(long n, long k, MemorySegment x, long xOffset) {
        return AbsRadixSelect.select(n, k, x, xOffset, pool);
    }

    // ---- merge sweeps ------------------------------------------------------------------------------------

    @Override
    public MergeSweeps mergeSweeps() {
        return sweeps;
    }
}
