package amalgam.kernels;

import amalgam.kernels.scalar.ScalarBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every fp32 {@link Backend} must meet, checked against {@link ScalarBackend} (F32) on seeded
 * random data, awkward sizes (1, 7, 33, 257, 1000003: scalar tails, one vector plus a tail, several threads'
 * worth), unaligned offsets, broadcast and transposed layouts, and IEEE special values.
 *
 * <p>To test a backend, extend this class and implement {@link #backend()}; the subclass owns the backend's
 * lifetime (create it in a field or {@code @BeforeAll}, close its pool in {@code @AfterAll}). Everything
 * else, GEMM excepted (it has its own tests), is checked here.
 *
 * <p>Tolerances, stated per operation in the {@code *Tolerance} methods: exact where the fp32 result is one
 * correctly rounded operation; 2e-6 relative for transcendentals; sums relative to Σ|x|. NaN must meet NaN
 * and ±∞ the same ±∞ everywhere. A subclass may widen a tolerance only with a comment saying why.
 */
public abstract class BackendConformanceTest {

    /** The backend under test. */
    protected abstract Backend backend();

    protected static final long[] ELEMENTWISE_SIZES = {1, 7, 33, 257, 1_000_003};
    /** Values that any kernel must pass through as IEEE arithmetic says. */
    private static final float[] SPECIALS = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f,
            1e-40f, -1e-40f, 3e38f, -3e38f, 1e-20f, 88f, -104f, 1f, -1f};

    protected final Backend reference = new ScalarBackend(Precision.F32);
    private final Arena arena = Arena.ofShared(); // shared: worker threads touch these segments
    private final SplittableRandom random = new SplittableRandom(20261125);

    @AfterEach
    void closeArena() {
        arena.close();
    }

    // ---- tolerances --------------------------------------------------------------------------------------

    protected Tolerance unaryTolerance(UnaryOp op) {
        return switch (op) {
            case IDENTITY, NEG, ABS, SIGN, SQUARE, SQRT, RECIPROCAL, RELU -> Tolerance.EXACT;
            // Results below the normal range may be flushed or rounded differently by a vector library.
            case EXP, LOG, TANH, SIGMOID, GELU_ERF, GELU_TANH, SILU -> new Tolerance(2e-6, Float.MIN_NORMAL);
            // Derivatives cross zero (GELU' at x ≈ −0.75, SiLU' at −1.28): relative error is meaningless there.
            case GELU_ERF_DERIVATIVE, GELU_TANH_DERIVATIVE, SILU_DERIVATIVE -> new Tolerance(2e-6, 1e-6);
        };
    }

    protected Tolerance binaryTolerance(BinaryOp op) {
        return op == BinaryOp.POW ? new Tolerance(2e-6, Float.MIN_NORMAL) : Tolerance.EXACT;
    }

    /** fma(scale, x, shift) and (scale·x + shift rounded once from double) may differ by an ulp. */
    protected Tolerance affineTolerance() {
        return new Tolerance(1.2e-7, 1e-37);
    }

    /** Relative to Σ|x| along the axis, the scale of rounding error in any summation order. */
    protected double sumToleranceOfAbsSum() {
        return 2e-6;
    }

    protected Tolerance softmaxTolerance() {
        return new Tolerance(4e-6, 1e-9);
    }

    /** log-softmax values are differences; their error scales with |x − max| + log Σ. */
    protected Tolerance logSoftmaxTolerance() {
        return new Tolerance(2e-6, 2e-6);
    }

    protected Tolerance layerNormTolerance() {
        return new Tolerance(5e-6, 5e-6);
    }

    // ---- data ------------------------------------------------------------------------------------------

    protected MemorySegment gaussian(long n, double scale) {
        MemorySegment s = FloatSegments.allocate(arena, n);
        for (long i = 0; i < n; i++) FloatSegments.set(s, i, (float) (random.nextGaussian() * scale));
        return s;
    }

    /** Gaussian data with the special values planted across the range (so some land in vector lanes). */
    protected MemorySegment gaussianWithSpecials(long n, double scale) {
        MemorySegment s = gaussian(n, scale);
        if (n >= SPECIALS.length * 2L) {
            for (int i = 0; i < SPECIALS.length; i++) FloatSegments.set(s, (n - 1) * i / SPECIALS.length, SPECIALS[i]);
        }
        return s;
    }

    protected MemorySegment zeros(long n) {
        return FloatSegments.allocate(arena, n);
    }

    protected MemorySegment copy(MemorySegment s) {
        MemorySegment c = FloatSegments.allocate(arena, FloatSegments.length(s));
        c.copyFrom(s);
        return c;
    }

    // ---- elementwise -------------------------------------------------------------------------------------

    @Test
    void unaryMatchesReferenceOnAllSizesAndSpecialValues() {
        for (UnaryOp op : UnaryOp.values()) {
            for (long n : ELEMENTWISE_SIZES) {
                // Offsets 3 and 5: neither input nor output starts on a vector boundary.
                MemorySegment x = gaussianWithSpecials(n + 3, 3);
                MemorySegment expected = zeros(n + 5), actual = zeros(n + 5);
                reference.unary(op, n, x, 3, expected, 5);
                backend().unary(op, n, x, 3, actual, 5);
                unaryTolerance(op).assertClose(op + " n=" + n, expected, 5, actual, 5, n);
            }
        }
    }

    @Test
    void unaryInPlace() {
        for (UnaryOp op : List.of(UnaryOp.EXP, UnaryOp.GELU_ERF, UnaryOp.NEG)) {
            MemorySegment x = gaussian(1000, 2);
            MemorySegment expected = zeros(1000);
            reference.unary(op, 1000, x, 0, expected, 0);
            backend().unary(op, 1000, x, 0, x, 0);
            unaryTolerance(op).assertClose(op + " in place", expected, 0, x, 0, 1000);
        }
    }

    @Test
    void geluAndSiluFamiliesOnADenseGrid() {
        // Every 1/64 from −12 to 12: the tails, where naive 1 + erf or 1 + tanh formulas lose all digits.
        int n = 24 * 64 + 1;
        MemorySegment x = zeros(n);
        for (int i = 0; i < n; i++) FloatSegments.set(x, i, -12f + i / 64f);
        for (UnaryOp op : List.of(UnaryOp.GELU_ERF, UnaryOp.GELU_TANH, UnaryOp.GELU_ERF_DERIVATIVE,
                UnaryOp.GELU_TANH_DERIVATIVE, UnaryOp.SIGMOID, UnaryOp.TANH, UnaryOp.EXP, UnaryOp.SILU,
                UnaryOp.SILU_DERIVATIVE)) {
            MemorySegment expected = zeros(n), actual = zeros(n);
            reference.unary(op, n, x, 0, expected, 0);
            backend().unary(op, n, x, 0, actual, 0);
            unaryTolerance(op).assertClose(op + " on grid", expected, 0, actual, 0, n);
        }
    }

    @Test
    void affineAndFill() {
        for (long n : ELEMENTWISE_SIZES) {
            MemorySegment x = gaussianWithSpecials(n + 1, 3);
            MemorySegment expected = zeros(n + 2), actual = zeros(n + 2);
            reference.affine(n, -1.5f, 0.25f, x, 1, expected, 2);
            backend().affine(n, -1.5f, 0.25f, x, 1, actual, 2);
            affineTolerance().assertClose("affine n=" + n, expected, 2, actual, 2, n);

            backend().fill(n, 7.5f, actual, 1);
            assertEquals(0f, FloatSegments.get(actual, 0), "fill wrote before its offset");
            for (long i = 1; i <= n; i++) assertEquals(7.5f, FloatSegments.get(actual, i), "fill at " + i);
        }
    }

    @Test
    void heapSegmentsWorkLikeOffHeapOnes() {
        // Segments over Java arrays (test data, small buffers) must work too, not only arena memory.
        float[] values = new float[300];
        for (int i = 0; i < values.length; i++) values[i] = (float) random.nextGaussian();
        MemorySegment x = MemorySegment.ofArray(values);
        MemorySegment expected = zeros(300), actual = MemorySegment.ofArray(new float[300]);
        reference.unary(UnaryOp.TANH, 300, x, 0, expected, 0);
        backend().unary(UnaryOp.TANH, 300, x, 0, actual, 0);
        unaryTolerance(UnaryOp.TANH).assertClose("TANH on heap segments", expected, 0, actual, 0, 300);
        reference.softmaxRows(3, 100, x, 0, expected, 0);
        backend().softmaxRows(3, 100, x, 0, actual, 0);
        softmaxTolerance().assertClose("softmax on heap segments", expected, 0, actual, 0, 300);
        assertEquals(reference.kthLargestAbs(300, 7, x, 0), backend().kthLargestAbs(300, 7, x, 0));
    }

    @Test
    void emptyInputsWriteNothing() {
        MemorySegment out = gaussian(4, 1), before = copy(out);
        backend().unary(UnaryOp.EXP, 0, out, 0, out, 0);
        backend().affine(0, 2f, 1f, out, 0, out, 0);
        backend().fill(0, 3f, out, 0);
        backend().binary(BinaryOp.ADD, new int[] {0, 3}, out, 0, new long[] {3, 1}, out, 0, new long[] {0, 1}, out, 0);
        backend().copyStrided(new int[] {3, 0}, out, 0, new long[] {1, 3}, out, 0);
        backend().softmaxRows(0, 4, out, 0, out, 0);
        backend().layerNormRows(0, 4, 1e-5f, out, 0, null, null, out, 0, null, null);
        backend().rmsNormRows(0, 4, 1e-6f, out, 0, null, out, 0, null);
        backend().ropeRows(0, 1, 4, out, 0, out, out, out, 0);
        assertEquals(-1, before.mismatch(out), "an empty operation wrote to its output");
    }

    /** A broadcast case: out has {@code shape}; operands are read through their strides from offset 2. */
    private record Layout(String name, int[] shape, long[] aStrides, long[] bStrides) {}

    private static List<Layout> binaryLayouts() {
        return List.of(
                new Layout("scalar shape", new int[0], new long[0], new long[0]),
                new Layout("[1]", new int[] {1}, new long[] {1}, new long[] {1}),
                new Layout("[257] contiguous", new int[] {257}, new long[] {1}, new long[] {1}),
                new Layout("[1000003] contiguous", new int[] {1_000_003}, new long[] {1}, new long[] {1}),
                new Layout("[7,33] contiguous", new int[] {7, 33}, new long[] {33, 1}, new long[] {33, 1}),
                new Layout("[33,257] + [257]", new int[] {33, 257}, new long[] {257, 1}, new long[] {0, 1}),
                new Layout("[257] + [33,257]", new int[] {33, 257}, new long[] {0, 1}, new long[] {257, 1}),
                new Layout("[33,257] + [33,1]", new int[] {33, 257}, new long[] {257, 1}, new long[] {1, 0}),
                new Layout("[33,1] * [1,257]", new int[] {33, 257}, new long[] {1, 0}, new long[] {0, 1}),
                new Layout("[7,33] + scalar", new int[] {7, 33}, new long[] {33, 1}, new long[] {0, 0}),
                new Layout("scalar + [7,33]", new int[] {7, 33}, new long[] {0, 0}, new long[] {33, 1}),
                new Layout("[33,7] transposed + [33,7]", new int[] {33, 7}, new long[] {1, 33}, new long[] {7, 1}),
                new Layout("[7,33,5] + [7,1,5]", new int[] {7, 33, 5}, new long[] {165, 5, 1}, new long[] {5, 0, 1}),
                new Layout("[5,1,3] + [1,4,3]", new int[] {5, 4, 3}, new long[] {3, 0, 1}, new long[] {0, 3, 1}),
                new Layout("[1000,1001] + [1001]", new int[] {1000, 1001}, new long[] {1001, 1}, new long[] {0, 1}),
                new Layout("[1001,1000] + [1001,1]", new int[] {1001, 1000}, new long[] {1000, 1}, new long[] {1, 0}));
    }

    private static long span(int[] shape, long[] strides) {
        long last = 0;
        for (int d = 0; d < shape.length; d++) last += (long) (shape[d] - 1) * strides[d];
        return last + 1;
    }

    private static long count(int[] shape) {
        long n = 1;
        for (int e : shape) n *= e;
        return n;
    }

    @Test
    void binaryMatchesReferenceOnBroadcastLayouts() {
        for (Layout layout : binaryLayouts()) {
            long n = count(layout.shape());
            MemorySegment a = gaussianWithSpecials(span(layout.shape(), layout.aStrides()) + 2, 2);
            MemorySegment b = gaussianWithSpecials(span(layout.shape(), layout.bStrides()) + 2, 2);
            for (BinaryOp op : BinaryOp.values()) {
                if (n > 100_000 && op == BinaryOp.POW) continue; // the scalar reference's pow is slow
                MemorySegment expected = zeros(n + 1), actual = zeros(n + 1);
                reference.binary(op, layout.shape(), a, 2, layout.aStrides(), b, 2, layout.bStrides(), expected, 1);
                backend().binary(op, layout.shape(), a, 2, layout.aStrides(), b, 2, layout.bStrides(), actual, 1);
                binaryTolerance(op).assertClose(op + " " + layout.name(), expected, 1, actual, 1, n);
            }
        }
    }

    @Test
    void binaryWithEqualOperandsAndInPlace() {
        MemorySegment a = gaussian(300, 1);
        FloatSegments.set(a, 5, Float.NaN);
        MemorySegment out = zeros(300);
        // EQUAL of a with itself: 1 everywhere except where NaN ≠ NaN.
        backend().binary(BinaryOp.EQUAL, new int[] {300}, a, 0, new long[] {1}, a, 0, new long[] {1}, out, 0);
        for (int i = 0; i < 300; i++) assertEquals(i == 5 ? 0f : 1f, FloatSegments.get(out, i), "EQUAL at " + i);

        MemorySegment b = gaussian(300, 1), expected = zeros(300);
        reference.binary(BinaryOp.SUB, new int[] {300}, a, 0, new long[] {1}, b, 0, new long[] {1}, expected, 0);
        backend().binary(BinaryOp.SUB, new int[] {300}, a, 0, new long[] {1}, b, 0, new long[] {1}, a, 0);
        Tolerance.EXACT.assertClose("SUB into a", expected, 0, a, 0, 300);
    }

    @Test
    void copyStridedMatchesReference() {
        record Copy(String name, int[] shape, long[] strides, long offset) {}
        List<Copy> copies = List.of(
                new Copy("[1,1] transpose", new int[] {1, 1}, new long[] {1, 1}, 0),
                new Copy("[33,7] from [7,33]", new int[] {33, 7}, new long[] {1, 33}, 3),
                new Copy("[257,5] from [5,257]", new int[] {257, 5}, new long[] {1, 257}, 0),
                new Copy("[5,257] from [257,5]", new int[] {5, 257}, new long[] {1, 5}, 1),
                new Copy("[33,33] transpose", new int[] {33, 33}, new long[] {1, 33}, 0),
                new Copy("[1003,1000] from [1000,1003]", new int[] {1003, 1000}, new long[] {1, 1003}, 0),
                new Copy("[7,33,5] from [7,5,33]", new int[] {7, 33, 5}, new long[] {165, 1, 33}, 2),
                new Copy("[7,33] slice of rows of 40", new int[] {7, 33}, new long[] {40, 1}, 4),
                new Copy("[7,33] broadcast column", new int[] {7, 33}, new long[] {1, 0}, 0),
                new Copy("[33] reversed", new int[] {33}, new long[] {-1}, 32),
                new Copy("[33,7] every other column", new int[] {33, 7}, new long[] {14, 2}, 0),
                new Copy("[1000003] contiguous", new int[] {1_000_003}, new long[] {1}, 1),
                new Copy("scalar", new int[0], new long[0], 5));
        for (Copy c : copies) {
            long n = count(c.shape());
            long extent = c.offset() + Math.max(span(c.shape(), c.strides()), 1) + 1;
            MemorySegment src = gaussianWithSpecials(extent, 1);
            MemorySegment expected = zeros(n + 1), actual = zeros(n + 1);
            reference.copyStrided(c.shape(), src, c.offset(), c.strides(), expected, 1);
            backend().copyStrided(c.shape(), src, c.offset(), c.strides(), actual, 1);
            Tolerance.EXACT.assertClose(c.name(), expected, 1, actual, 1, n);
            assertEquals(0f, FloatSegments.get(actual, 0), c.name() + " wrote before its offset");
        }
    }

    // ---- reductions --------------------------------------------------------------------------------------

    @Test
    void reduceMatchesReferenceOnAllSmallShapes() {
        int[] sizes = {1, 7, 33};
        for (int outer : sizes) {
            for (int axis : sizes) {
                for (int inner : sizes) checkReduce(outer, axis, inner, false);
            }
        }
    }

    @Test
    void reduceMatchesReferenceOnLargeShapes() {
        checkReduce(1, 1_000_003, 1, false);
        checkReduce(3, 70_001, 1, false);
        checkReduce(1000, 100, 1, false);
        checkReduce(2, 1000, 1000, false);
        checkReduce(1, 5, 100_003, false);
        checkReduce(1, 0, 1, false);
    }

    @Test
    void reducePropagatesNaNAndInfinity() {
        checkReduce(7, 33, 1, true);
        checkReduce(7, 33, 33, true);
        checkReduce(1, 1_000_003, 1, true);
        checkReduce(2, 1000, 1000, true);
    }

    private void checkReduce(int outer, int axis, int inner, boolean specials) {
        long n = (long) outer * axis * inner, outN = (long) outer * inner;
        MemorySegment x = specials ? gaussianWithSpecials(n + 1, 2) : gaussian(n + 1, 2);
        // Σ|x| per output: the scale a sum's rounding error is measured against.
        MemorySegment abs = zeros(n + 1), absSum = zeros(outN);
        reference.unary(UnaryOp.ABS, n, x, 1, abs, 1);
        reference.reduce(ReduceOp.SUM, outer, axis, inner, abs, 1, absSum, 0);
        for (ReduceOp op : ReduceOp.values()) {
            MemorySegment expected = zeros(outN + 2), actual = zeros(outN + 2);
            reference.reduce(op, outer, axis, inner, x, 1, expected, 2);
            backend().reduce(op, outer, axis, inner, x, 1, actual, 2);
            String what = op + " [" + outer + "," + axis + "," + inner + "]";
            for (long i = 0; i < outN; i++) {
                double scale = op == ReduceOp.MAX ? 0 : FloatSegments.get(absSum, i) / (op == ReduceOp.MEAN ? axis : 1);
                new Tolerance(0, sumToleranceOfAbsSum() * scale).assertClose(what + " at " + i,
                        FloatSegments.get(expected, 2 + i), FloatSegments.get(actual, 2 + i));
            }
        }
    }

    // ---- row-wise normalisations --------------------------------------------------------------------------

    protected static final int[][] ROW_SHAPES = {{1, 1}, {7, 33}, {257, 5}, {3, 1000}, {64, 1024}, {1, 100_003}};

    @Test
    void softmaxAndLogSoftmaxMatchReference() {
        for (int[] rc : ROW_SHAPES) {
            int rows = rc[0], cols = rc[1];
            long n = (long) rows * cols;
            MemorySegment x = gaussian(n + 1, 3);
            MemorySegment expected = zeros(n + 2), actual = zeros(n + 2);
            reference.softmaxRows(rows, cols, x, 1, expected, 2);
            backend().softmaxRows(rows, cols, x, 1, actual, 2);
            softmaxTolerance().assertClose("softmax " + rows + "x" + cols, expected, 2, actual, 2, n);

            reference.logSoftmaxRows(rows, cols, x, 1, expected, 2);
            backend().logSoftmaxRows(rows, cols, x, 1, actual, 2);
            logSoftmaxTolerance().assertClose("logSoftmax " + rows + "x" + cols, expected, 2, actual, 2, n);

            // In place, as the engine does.
            MemorySegment inPlace = copy(x);
            backend().logSoftmaxRows(rows, cols, inPlace, 1, inPlace, 1);
            logSoftmaxTolerance().assertClose("logSoftmax in place " + rows + "x" + cols, expected, 2, inPlace, 1, n);
            inPlace = copy(x);
            reference.softmaxRows(rows, cols, x, 1, expected, 2);
            backend().softmaxRows(rows, cols, inPlace, 1, inPlace, 1);
            softmaxTolerance().assertClose("softmax in place " + rows + "x" + cols, expected, 2, inPlace, 1, n);
        }
    }

    @Test
    void softmaxOfRowWithNaNOrInfinityFollowsReference() {
        int rows = 4, cols = 37;
        MemorySegment x = gaussian(rows * cols, 1);
        FloatSegments.set(x, 3, Float.NaN);                        // row 0: NaN everywhere
        FloatSegments.set(x, cols + 36, Float.POSITIVE_INFINITY);  // row 1: ∞ − ∞ gives NaN
        FloatSegments.set(x, 2 * cols + 10, Float.NEGATIVE_INFINITY); // row 2: that entry is 0, others fine
        for (boolean log : new boolean[] {false, true}) {
            MemorySegment expected = zeros(rows * cols), actual = zeros(rows * cols);
            if (log) {
                reference.logSoftmaxRows(rows, cols, x, 0, expected, 0);
                backend().logSoftmaxRows(rows, cols, x, 0, actual, 0);
            } else {
                reference.softmaxRows(rows, cols, x, 0, expected, 0);
                backend().softmaxRows(rows, cols, x, 0, actual, 0);
            }
            (log ? logSoftmaxTolerance() : softmaxTolerance()).assertClose(log ? "logSoftmax" : "softmax",
                    expected, 0, actual, 0, (long) rows * cols);
            for (int j = 0; j < cols; j++) assertTrue(Float.isNaN(FloatSegments.get(actual, j)), "NaN row at " + j);
        }
    }

    @Test
    void softmaxBackwardsMatchReference() {
        for (int[] rc : ROW_SHAPES) {
            int rows = rc[0], cols = rc[1];
            long n = (long) rows * cols;
            MemorySegment x = gaussian(n, 2), y = zeros(n), logY = zeros(n), dy = gaussian(n + 1, 1);
            reference.softmaxRows(rows, cols, x, 0, y, 0);
            reference.logSoftmaxRows(rows, cols, x, 0, logY, 0);
            MemorySegment expected = zeros(n), actual = zeros(n + 3);
            reference.softmaxBackwardRows(rows, cols, y, 0, dy, 1, expected, 0);
            backend().softmaxBackwardRows(rows, cols, y, 0, dy, 1, actual, 3);
            // y·(dy − Σ dy·y): absolute error scales with y·(|dy| + |Σ|), a few units of fp32 rounding.
            new Tolerance(2e-6, 2e-7).assertClose("softmax backward " + rows + "x" + cols, expected, 0, actual, 3, n);

            reference.logSoftmaxBackwardRows(rows, cols, logY, 0, dy, 1, expected, 0);
            backend().logSoftmaxBackwardRows(rows, cols, logY, 0, dy, 1, actual, 3);
            new Tolerance(2e-6, 2e-6 * Math.sqrt(cols)).assertClose("logSoftmax backward " + rows + "x" + cols,
                    expected, 0, actual, 3, n);

            // dx may be dy
            backend().logSoftmaxBackwardRows(rows, cols, logY, 0, dy, 1, dy, 1);
            new Tolerance(2e-6, 2e-6 * Math.sqrt(cols)).assertClose("logSoftmax backward in place",
                    expected, 0, dy, 1, n);
        }
    }

    @Test
    void layerNormMatchesReference() {
        for (int[] rc : ROW_SHAPES) {
            int rows = rc[0], cols = rc[1];
            long n = (long) rows * cols;
            MemorySegment x = gaussian(n + 1, 2);
            affineInPlace(n + 1, x, 0.5f); // a mean away from zero, where one-pass variance would cancel
            MemorySegment gamma = gaussian(cols, 1), beta = gaussian(cols, 1);
            for (boolean affine : new boolean[] {false, true}) {
                MemorySegment g = affine ? gamma : null, b = affine ? beta : null;
                MemorySegment expected = zeros(n), actual = zeros(n + 1);
                MemorySegment expMean = zeros(rows), expRstd = zeros(rows), mean = zeros(rows), rstd = zeros(rows);
                reference.layerNormRows(rows, cols, 1e-5f, x, 1, g, b, expected, 0, expMean, expRstd);
                backend().layerNormRows(rows, cols, 1e-5f, x, 1, g, b, actual, 1, mean, rstd);
                String what = "layerNorm " + rows + "x" + cols + (affine ? " affine" : "");
                layerNormTolerance().assertClose(what, expected, 0, actual, 1, n);
                new Tolerance(1e-6, 1e-6).assertClose(what + " mean", expMean, 0, mean, 0, rows);
                new Tolerance(2e-6, 0).assertClose(what + " rstd", expRstd, 0, rstd, 0, rows);
                // Without mean/rstd outputs.
                backend().layerNormRows(rows, cols, 1e-5f, x, 1, g, b, actual, 1, null, null);
                layerNormTolerance().assertClose(what + " without stats", expected, 0, actual, 1, n);
            }
        }
    }

    private void affineInPlace(long n, MemorySegment x, float shift) {
        reference.affine(n, 1f, shift, x, 0, x, 0);
    }

    @Test
    void layerNormBackwardMatchesReference() {
        for (int[] rc : ROW_SHAPES) {
            int rows = rc[0], cols = rc[1];
            long n = (long) rows * cols;
            MemorySegment x = gaussian(n, 2), dy = gaussian(n + 2, 1);
            MemorySegment gamma = gaussian(cols, 1), y = zeros(n), mean = zeros(rows), rstd = zeros(rows);
            reference.layerNormRows(rows, cols, 1e-5f, x, 0, gamma, null, y, 0, mean, rstd);
            for (boolean withGamma : new boolean[] {false, true}) {
                MemorySegment g = withGamma ? gamma : null;
                MemorySegment expected = zeros(n), actual = zeros(n);
                // Parameter gradients accumulate: start both from the same non-zero values.
                MemorySegment expDgamma = gaussian(cols, 1), expDbeta = gaussian(cols, 1);
                MemorySegment dgamma = copy(expDgamma), dbeta = copy(expDbeta);
                reference.layerNormBackwardRows(rows, cols, x, 0, mean, rstd, g, dy, 2, expected, 0,
                        expDgamma, expDbeta);
                backend().layerNormBackwardRows(rows, cols, x, 0, mean, rstd, g, dy, 2, actual, 0, dgamma, dbeta);
                String what = "layerNorm backward " + rows + "x" + cols + (withGamma ? " gamma" : "");
                // dx = rstd·(g − mean g − x̂·mean(g x̂)) cancels; error scales with rstd·|g| terms.
                new Tolerance(1e-5, 1e-5).assertClose(what + " dx", expected, 0, actual, 0, n);
                // Column sums over rows: error relative to the row count's worth of terms.
                Tolerance columnSums = new Tolerance(2e-6, 2e-6 * Math.sqrt(rows));
                columnSums.assertClose(what + " dgamma", expDgamma, 0, dgamma, 0, cols);
                columnSums.assertClose(what + " dbeta", expDbeta, 0, dbeta, 0, cols);
                // Null parameter gradients are skipped.
                backend().layerNormBackwardRows(rows, cols, x, 0, mean, rstd, g, dy, 2, actual, 0, null, null);
                new Tolerance(1e-5, 1e-5).assertClose(what + " dx without parameter gradients",
                        expected, 0, actual, 0, n);
            }
        }
    }

    @Test
    void rmsNormMatchesReference() {
        for (int[] rc : ROW_SHAPES) {
            int rows = rc[0], cols = rc[1];
            long n = (long) rows * cols;
            MemorySegment x = gaussian(n + 1, 2), weight = gaussian(cols, 1);
            for (boolean weighted : new boolean[] {false, true}) {
                MemorySegment w = weighted ? weight : null;
                MemorySegment expected = zeros(n), actual = zeros(n + 1);
                MemorySegment expRstd = zeros(rows), rstd = zeros(rows);
                reference.rmsNormRows(rows, cols, 1e-6f, x, 1, w, expected, 0, expRstd);
                backend().rmsNormRows(rows, cols, 1e-6f, x, 1, w, actual, 1, rstd);
                String what = "rmsNorm " + rows + "x" + cols + (weighted ? " weighted" : "");
                layerNormTolerance().assertClose(what, expected, 0, actual, 1, n);
                new Tolerance(2e-6, 0).assertClose(what + " rstd", expRstd, 0, rstd, 0, rows);
                backend().rmsNormRows(rows, cols, 1e-6f, x, 1, w, actual, 1, null);
                layerNormTolerance().assertClose(what + " without rstd", expected, 0, actual, 1, n);
            }
        }
    }

    @Test
    void rmsNormBackwardMatchesReference() {
        for (int[] rc : ROW_SHAPES) {
            int rows = rc[0], cols = rc[1];
            long n = (long) rows * cols;
            MemorySegment x = gaussian(n, 2), dy = gaussian(n + 2, 1);
            MemorySegment weight = gaussian(cols, 1), y = zeros(n), rstd = zeros(rows);
            reference.rmsNormRows(rows, cols, 1e-6f, x, 0, weight, y, 0, rstd);
            for (boolean weighted : new boolean[] {false, true}) {
                MemorySegment w = weighted ? weight : null;
                MemorySegment expected = zeros(n), actual = zeros(n);
                // The weight gradient accumulates: start both from the same non-zero values.
                MemorySegment expDweight = gaussian(cols, 1), dweight = copy(expDweight);
                reference.rmsNormBackwardRows(rows, cols, x, 0, rstd, w, dy, 2, expected, 0, expDweight);
                backend().rmsNormBackwardRows(rows, cols, x, 0, rstd, w, dy, 2, actual, 0, dweight);
                String what = "rmsNorm backward " + rows + "x" + cols + (weighted ? " weighted" : "");
                new Tolerance(1e-5, 1e-5).assertClose(what + " dx", expected, 0, actual, 0, n);
                new Tolerance(2e-6, 2e-6 * Math.sqrt(rows)).assertClose(what + " dweight", expDweight, 0, dweight,
                        0, cols);
                backend().rmsNormBackwardRows(rows, cols, x, 0, rstd, w, dy, 2, actual, 0, null);
                new Tolerance(1e-5, 1e-5).assertClose(what + " dx without dweight", expected, 0, actual, 0, n);
            }
        }
    }

    @Test
    void ropeMatchesReference() {
        // {rows, tokens, dim}: halves of 1, 7 (scalar tails), 33 (vectors and a tail), 32 and 64 (whole vectors);
        // the last is large enough to be split over threads.
        int[][] shapes = {{1, 1, 2}, {6, 3, 14}, {8, 4, 66}, {5, 5, 64}, {2048, 128, 128}};
        for (int[] shape : shapes) {
            int rows = shape[0], tokens = shape[1], dim = shape[2];
            long n = (long) rows * dim;
            MemorySegment x = gaussian(n + 3, 2), cos = gaussian(tokens * dim, 1), sin = gaussian(tokens * dim, 1);
            MemorySegment expected = zeros(n), actual = zeros(n + 1);
            reference.ropeRows(rows, tokens, dim, x, 3, cos, sin, expected, 0);
            backend().ropeRows(rows, tokens, dim, x, 3, cos, sin, actual, 1);
            String what = "rope " + rows + "x" + dim + " over " + tokens + " tokens";
            // Each output is a difference of two products: its error scales with their size, not its own.
            Tolerance ofProducts = new Tolerance(1e-6, 1e-5);
            ofProducts.assertClose(what, expected, 0, actual, 1, n);
            MemorySegment inPlace = copy(x);
            backend().ropeRows(rows, tokens, dim, inPlace, 3, cos, sin, inPlace, 3);
            ofProducts.assertClose(what + " in place", expected, 0, inPlace, 3, n);
        }
    }

    // ---- selection ---------------------------------------------------------------------------------------

    @Test
    void kthLargestAbsMatchesReference() {
        for (long n : ELEMENTWISE_SIZES) {
            MemorySegment x = gaussian(n + 3, 1);
            long[] ks = n > 100_000 ? new long[] {1, n / 3, n} : new long[] {1, 2, (n + 1) / 2, n};
            for (long k : ks) {
                if (k < 1 || k > n) continue;
                assertEquals(reference.kthLargestAbs(n, k, x, 3), backend().kthLargestAbs(n, k, x, 3),
                        "n=" + n + " k=" + k);
            }
        }
    }

    @Test
    void kthLargestAbsWithTiesSignsZerosInfinitiesAndNaN() {
        int n = 1001;
        MemorySegment x = zeros(n);
        // Few distinct magnitudes, both signs, so most ranks fall inside a run of ties.
        for (int i = 0; i < n; i++) FloatSegments.set(x, i, (float) ((random.nextInt(7) - 3) * 0.5));
        FloatSegments.set(x, 10, -0f);
        FloatSegments.set(x, 500, Float.NEGATIVE_INFINITY);
        FloatSegments.set(x, 900, Float.POSITIVE_INFINITY);
        for (long k = 1; k <= n; k += 37) {
            assertEquals(reference.kthLargestAbs(n, k, x, 0), backend().kthLargestAbs(n, k, x, 0), "k=" + k);
        }
        assertEquals(Float.POSITIVE_INFINITY, backend().kthLargestAbs(n, 2, x, 0));
        assertEquals(0f, backend().kthLargestAbs(n, n, x, 0));

        FloatSegments.set(x, 700, Float.NaN);
        FloatSegments.set(x, 701, -Float.NaN);
        assertTrue(Float.isNaN(backend().kthLargestAbs(n, 1, x, 0)), "NaN ranks first");
        assertTrue(Float.isNaN(backend().kthLargestAbs(n, 2, x, 0)), "both NaNs rank above ∞");
        assertEquals(Float.POSITIVE_INFINITY, backend().kthLargestAbs(n, 3, x, 0));
        assertEquals(reference.kthLargestAbs(n, 500, x, 0), backend().kthLargestAbs(n, 500, x, 0));

        MemorySegment original = copy(x);
        backend().kthLargestAbs(n, 17, x, 0);
        assertEquals(-1, original.mismatch(x), "kthLargestAbs must not modify x");
    }

    @Test
    void kthLargestAbsOfLargeArrayWithManyTies() {
        long n = 1_000_003;
        MemorySegment x = zeros(n);
        for (long i = 0; i < n; i++) FloatSegments.set(x, i, (float) (random.nextInt(1000) - 500) / 8f);
        for (long k : new long[] {1, 999, n / 2, n - 1, n}) {
            assertEquals(reference.kthLargestAbs(n, k, x, 0), backend().kthLargestAbs(n, k, x, 0), "k=" + k);
        }
    }

    // ---- selection at scale: the gathered top bucket and the full-pass fallback ---------------------------
    // Fast selections fix the top 11 bits of the answer's magnitude (bits 30..20) in one pass, copy out the
    // entries that share them when those are at most n/8 of x, and finish on the copy; otherwise they finish
    // on x. Each test below says which of the two its data takes, and checks that the data still does.

    /** Past every backend's parallel threshold (1 << 16) many times over, and odd so chunks are uneven. */
    private static final int SELECT_N = (1 << 20) + 3;
    private static final long SELECT_OFFSET = 5;

    @Test
    void kthLargestAbsOfGaussianDeltasTakesTheGatheredPath() {
        long n = SELECT_N;
        MemorySegment x = gaussian(n + SELECT_OFFSET, 0.01);
        float[] sorted = sortedMagnitudes(x, n);
        assertTrue(sharingTopDigit(sorted, kth(sorted, n / 5)) <= n / 8, "TIES density must gather");
        assertSelections(x, n, sorted, 1, 2, 3, n / 5 - 1, n / 5, n / 5 + 1, n / 2, n - 1, n);
        assertEquals(reference.kthLargestAbs(n, n / 5, x, SELECT_OFFSET),
                backend().kthLargestAbs(n, n / 5, x, SELECT_OFFSET), "k = n/5 against the reference");
    }

    @Test
    void kthLargestAbsInsideARunOfTiesOnTheGatheredPath() {
        long n = SELECT_N;
        MemorySegment x = gaussian(n + SELECT_OFFSET, 1);
        // One magnitude near the 20% point, planted with both signs in 2% of the entries: a few percent of x.
        plantTies(x, n, 1.2815516f, 50);
        float[] sorted = sortedMagnitudes(x, n);
        assertTrue(sharingTopDigit(sorted, 1.2815516f) <= n / 8, "2% ties near the 20% point must gather");
        assertSelectionsAroundRun(x, n, sorted, 1.2815516f);
    }

    @Test
    void kthLargestAbsInsideAHeavyRunOfTiesFallsBackToFullPasses() {
        long n = SELECT_N;
        MemorySegment x = gaussian(n + SELECT_OFFSET, 1);
        plantTies(x, n, 0.75f, 3); // a third of x
        float[] sorted = sortedMagnitudes(x, n);
        assertTrue(sharingTopDigit(sorted, 0.75f) > n / 8, "a third of x tied must not gather");
        assertSelectionsAroundRun(x, n, sorted, 0.75f);
        assertSelections(x, n, sorted, 1, n / 5, n);
    }

    @Test
    void kthLargestAbsOfConstantDataFallsBackToFullPasses() {
        long n = SELECT_N;
        MemorySegment x = zeros(n + SELECT_OFFSET);
        for (long i = 0; i < n + SELECT_OFFSET; i++) FloatSegments.set(x, i, i % 2 == 0 ? -1.5f : 1.5f);
        for (long k : new long[] {1, n / 5, n / 2, n}) {
            assertEquals(1.5f, backend().kthLargestAbs(n, k, x, SELECT_OFFSET), "k=" + k);
        }
    }

    @Test
    void kthLargestAbsWithNaNInfinitiesZerosAndSubnormalsAtScale() {
        long n = SELECT_N;
        MemorySegment x = gaussian(n + SELECT_OFFSET, 0.01);
        // Every 1000th entry NaN, every 999th ±∞, every 20th ±0 and every 33rd subnormal (later rules win).
        for (long i = 0; i < n; i++) {
            long at = SELECT_OFFSET + i;
            if (i % 33 == 0) FloatSegments.set(x, at, Float.MIN_VALUE * (1 + random.nextInt(1 << 22)) * sign());
            if (i % 20 == 0) FloatSegments.set(x, at, 0f * sign());
            if (i % 999 == 0) FloatSegments.set(x, at, Float.POSITIVE_INFINITY * sign());
            if (i % 1000 == 0) FloatSegments.set(x, at, Float.NaN * sign());
        }
        float[] sorted = sortedMagnitudes(x, n);
        long nan = count(sorted, Float::isNaN), infinite = count(sorted, Float::isInfinite);
        long zero = count(sorted, v -> v == 0), subnormal = count(sorted, v -> v > 0 && v < Float.MIN_NORMAL);
        assertTrue(nan > 100 && infinite > 100 && zero > 10_000 && subnormal > 10_000, "specials planted");
        assertTrue(kth(sorted, n - zero - subnormal + 1) < Float.MIN_NORMAL, "a rank falls on a subnormal");
        assertSelections(x, n, sorted, 1, nan, nan + 1, nan + infinite, nan + infinite + 1, n / 5,
                n - zero - subnormal, n - zero - subnormal + 1, n - zero - subnormal / 2, n - zero,
                n - zero + 1, n);
        assertTrue(Float.isNaN(backend().kthLargestAbs(n, nan, x, SELECT_OFFSET)), "every NaN ranks first");
    }

    private float sign() {
        return random.nextBoolean() ? 1f : -1f;
    }

    /** Sets every {@code every}-th of the n elements after SELECT_OFFSET to ±value. */
    private void plantTies(MemorySegment x, long n, float value, int every) {
        for (long i = 0; i < n; i += every) FloatSegments.set(x, SELECT_OFFSET + i, value * sign());
    }

    /** Ranks around and inside the run of entries whose magnitude is value. */
    private void assertSelectionsAroundRun(MemorySegment x, long n, float[] sorted, float value) {
        long above = count(sorted, v -> v > value), equal = count(sorted, v -> v == value);
        assertSelections(x, n, sorted, above, above + 1, above + equal / 2, above + equal, above + equal + 1);
        assertEquals(value, backend().kthLargestAbs(n, above + equal / 2, x, SELECT_OFFSET));
    }

    /** The backend's k-th largest |x| over the n elements after SELECT_OFFSET, for each k, against sorting. */
    private void assertSelections(MemorySegment x, long n, float[] sorted, long... ks) {
        for (long k : ks) {
            assertEquals(kth(sorted, k), backend().kthLargestAbs(n, k, x, SELECT_OFFSET), "n=" + n + " k=" + k);
        }
    }

    /** |x| of the n elements after SELECT_OFFSET, ascending in Float.compare order (NaN last). */
    private static float[] sortedMagnitudes(MemorySegment x, long n) {
        float[] magnitudes = new float[Math.toIntExact(n)];
        for (int i = 0; i < n; i++) magnitudes[i] = Math.abs(FloatSegments.get(x, SELECT_OFFSET + i));
        Arrays.sort(magnitudes);
        return magnitudes;
    }

    private static float kth(float[] sorted, long k) {
        return sorted[Math.toIntExact(sorted.length - k)];
    }

    /** How many magnitudes share value's top 11 bits (30..20): the bucket a fast selection would gather. */
    private static long sharingTopDigit(float[] sorted, float value) {
        int digit = Float.floatToRawIntBits(value) >>> 20;
        return count(sorted, v -> Float.floatToRawIntBits(v) >>> 20 == digit);
    }

    private static long count(float[] values, FloatPredicate p) {
        long c = 0;
        for (float v : values) if (p.test(v)) c++;
        return c;
    }

    private interface FloatPredicate {
        boolean test(float v);
    }
}
