package amalgam.kernels.cuda;

import amalgam.kernels.BinaryOp;
import amalgam.kernels.FloatSegments;
import amalgam.kernels.ReduceOp;
import amalgam.kernels.UnaryOp;
import amalgam.kernels.scalar.ScalarBackend;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static amalgam.kernels.cuda.CudaTestSupport.assertClose;
import static amalgam.kernels.cuda.CudaTestSupport.copy;
import static amalgam.kernels.cuda.CudaTestSupport.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every {@link CudaBackend} operation against {@link ScalarBackend} on the same seeded inputs. Tolerances:
 * IEEE-exact ops (+ − × ÷, max, min, copies, selection) must match bit for bit; transcendental functions use
 * CUDA's single-precision library (≤ 2 ulp each), so they get 1e-5 relative; row reductions sum in float in a
 * tree order, so softmax and layer norm get 1e-5 relative with 1e-6 absolute (1e-5 for log-softmax, whose
 * values are sums of O(10) magnitudes).
 */
class CudaBackendTest {

    private final ScalarBackend reference = new ScalarBackend();
    private CudaBackend cuda;

    @BeforeEach
    void requireGpu() {
        cuda = new CudaBackend(CudaTestSupport.assumeCuda());
    }

    /** Random values in [−4, 4) with the awkward ones mixed in: zeros of both signs, NaN, tiny, large. */
    private static MemorySegment awkward(Arena arena, int n, long seed) {
        MemorySegment x = random(arena, n, seed);
        for (int i = 0; i < n; i++) FloatSegments.set(x, i, 4 * FloatSegments.get(x, i));
        float[] specials = {0f, -0f, Float.NaN, 1e-30f, -1e-30f, 20f, -20f, 88f, -88f, 1f, -1f};
        for (int i = 0; i < specials.length && i < n; i++) FloatSegments.set(x, 3L * i, specials[i]);
        return x;
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unaryMatches(UnaryOp op) {
        try (Arena arena = Arena.ofConfined()) {
            int n = 1000;
            MemorySegment x = awkward(arena, n + 5, 11);
            MemorySegment expected = FloatSegments.allocate(arena, n + 9), actual = FloatSegments.allocate(arena, n + 9);
            reference.unary(op, n, x, 5, expected, 9);
            cuda.unary(op, n, x, 5, actual, 9);
            assertClose(op.name(), expected, actual, 0, n + 9, 1e-6, 1e-5);
        }
    }

    @Test
    void affineAndFillMatch() {
        try (Arena arena = Arena.ofConfined()) {
            int n = 777;
            MemorySegment x = random(arena, n, 12);
            MemorySegment expected = FloatSegments.allocate(arena, n), actual = FloatSegments.allocate(arena, n);
            reference.affine(n, 2.5f, -0.75f, x, 0, expected, 0);
            cuda.affine(n, 2.5f, -0.75f, x, 0, actual, 0);
            assertClose("affine", expected, actual, 0, n, 0, 1e-7);
            // A heap segment (a float[]) must work too: it goes through a bounce buffer.
            float[] heap = new float[n];
            cuda.affine(n, 2.5f, -0.75f, x, 0, MemorySegment.ofArray(heap), 0);
            assertClose("affine into a heap segment", expected, MemorySegment.ofArray(heap), 0, n, 0, 1e-7);
            cuda.fill(n - 10, 3.25f, actual, 10);
            reference.fill(n - 10, 3.25f, expected, 10);
            assertClose("fill", expected, actual, 0, n, 0, 0);
        }
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void binaryMatchesWithBroadcastingAndTransposedOperands(BinaryOp op) {
        try (Arena arena = Arena.ofConfined()) {
            int[] shape = {4, 5, 33};
            int n = 4 * 5 * 33;
            MemorySegment a = awkward(arena, n + 2, 13);
            MemorySegment b = awkward(arena, 5 * 33 + 1, 14);
            // a is the [33, 5, 4] block seen transposed; b is a [5, 33] block broadcast over the first axis.
            long[] aStrides = {1, 4, 20}, bStrides = {0, 33, 1};
            MemorySegment expected = FloatSegments.allocate(arena, n), actual = FloatSegments.allocate(arena, n);
            reference.binary(op, shape, a, 2, aStrides, b, 1, bStrides, expected, 0);
            cuda.binary(op, shape, a, 2, aStrides, b, 1, bStrides, actual, 0);
            assertClose(op.name(), expected, actual, 0, n, 0, op == BinaryOp.POW ? 1e-6 : 0);
            // A scalar operand (all strides 0) and an in-place output.
            MemorySegment inPlace = copy(arena, a), reference2 = copy(arena, a);
            long[] contiguous = {165, 33, 1}, scalar = {0, 0, 0};
            reference.binary(op, shape, reference2, 0, contiguous, b, 7, scalar, reference2, 0);
            cuda.binary(op, shape, inPlace, 0, contiguous, b, 7, scalar, inPlace, 0);
            assertClose(op.name() + " with a scalar", reference2, inPlace, 0, n, 0, op == BinaryOp.POW ? 1e-6 : 0);
        }
    }

    @Test
    void copyStridedMaterialisesTransposesAndFlips() {
        try (Arena arena = Arena.ofConfined()) {
            int[] shape = {3, 7, 5};
            MemorySegment src = random(arena, 3 * 7 * 5 + 40, 15);
            long[] strides = {1, -15, 3}; // axis 1 walks backwards from the offset
            long offset = 6 * 15 + 2;
            MemorySegment expected = FloatSegments.allocate(arena, 105), actual = FloatSegments.allocate(arena, 105);
            reference.copyStrided(shape, src, offset, strides, expected, 0);
            cuda.copyStrided(shape, src, offset, strides, actual, 0);
            assertClose("copyStrided", expected, actual, 0, 105, 0, 0);
        }
    }

    @ParameterizedTest
    @EnumSource(ReduceOp.class)
    void reduceMatchesOnRowsColumnsAndEmptyAxes(ReduceOp op) {
        int[][] cases = {{3, 7, 1}, {2, 1000, 1}, {2, 257, 5}, {1, 1, 1}, {5, 3, 64}, {4, 0, 3}, {3, 0, 1}};
        for (int[] c : cases) {
            try (Arena arena = Arena.ofConfined()) {
                int outer = c[0], axis = c[1], inner = c[2], outputs = outer * inner;
                MemorySegment x = scaledRandom(arena, outer * axis * inner + 3, 16);
                MemorySegment expected = FloatSegments.allocate(arena, outputs), actual = FloatSegments.allocate(arena, outputs);
                reference.reduce(op, outer, axis, inner, x, 3, expected, 0);
                cuda.reduce(op, outer, axis, inner, x, 3, actual, 0);
                assertClose(op + " " + outer + "×" + axis + "×" + inner, expected, actual, 0, outputs, 1e-6, 1e-6);
            }
        }
    }

    @Test
    void maxReductionPropagatesNaN() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = FloatSegments.of(arena, 1, Float.NaN, 3, 4, 5, 6);
            MemorySegment rows = FloatSegments.allocate(arena, 2), columns = FloatSegments.allocate(arena, 3);
            cuda.reduce(ReduceOp.MAX, 2, 3, 1, x, 0, rows, 0);
            cuda.reduce(ReduceOp.MAX, 1, 2, 3, x, 0, columns, 0);
            assertEquals(Float.NaN, FloatSegments.get(rows, 0));
            assertEquals(6f, FloatSegments.get(rows, 1));
            assertEquals(Float.NaN, FloatSegments.get(columns, 1));
            assertEquals(4f, FloatSegments.get(columns, 0));
        }
    }

    private static MemorySegment scaledRandom(Arena arena, int n, long seed) {
        MemorySegment x = random(arena, n, seed);
        for (int i = 0; i < n; i++) FloatSegments.set(x, i, 4 * FloatSegments.get(x, i));
        return x;
    }

    @Test
    void softmaxAndLogSoftmaxMatchForwardAndBackward() {
        int[][] cases = {{1, 1}, {7, 33}, {3, 1000}, {2, 257}};
        for (int[] c : cases) {
            try (Arena arena = Arena.ofConfined()) {
                int rows = c[0], cols = c[1], n = rows * cols;
                MemorySegment x = random(arena, n, 17);
                for (int i = 0; i < n; i++) FloatSegments.set(x, i, 10 * FloatSegments.get(x, i));
                MemorySegment dy = random(arena, n, 18);
                String shape = " " + rows + "×" + cols;

                MemorySegment y = FloatSegments.allocate(arena, n), yGpu = FloatSegments.allocate(arena, n);
                reference.softmaxRows(rows, cols, x, 0, y, 0);
                cuda.softmaxRows(rows, cols, x, 0, yGpu, 0);
                assertClose("softmax" + shape, y, yGpu, 0, n, 1e-6, 1e-5);
                MemorySegment dx = FloatSegments.allocate(arena, n), dxGpu = FloatSegments.allocate(arena, n);
                reference.softmaxBackwardRows(rows, cols, y, 0, dy, 0, dx, 0);
                cuda.softmaxBackwardRows(rows, cols, y, 0, dy, 0, dxGpu, 0);
                assertClose("softmax backward" + shape, dx, dxGpu, 0, n, 1e-6, 1e-5);

                MemorySegment ly = FloatSegments.allocate(arena, n), lyGpu = copy(arena, x);
                reference.logSoftmaxRows(rows, cols, x, 0, ly, 0);
                cuda.logSoftmaxRows(rows, cols, lyGpu, 0, lyGpu, 0); // in place
                assertClose("log-softmax" + shape, ly, lyGpu, 0, n, 1e-5, 1e-5);
                reference.logSoftmaxBackwardRows(rows, cols, ly, 0, dy, 0, dx, 0);
                cuda.logSoftmaxBackwardRows(rows, cols, ly, 0, dy, 0, dxGpu, 0);
                assertClose("log-softmax backward" + shape, dx, dxGpu, 0, n, 1e-5, 1e-5);
            }
        }
    }

    @Test
    void layerNormMatchesForwardAndBackward() {
        int[][] cases = {{5, 7}, {3, 257}, {1, 1}, {4, 1024}};
        for (int[] c : cases) {
            for (boolean affine : new boolean[] {true, false}) {
                try (Arena arena = Arena.ofConfined()) {
                    int rows = c[0], cols = c[1], n = rows * cols;
                    String what = " " + rows + "×" + cols + (affine ? " with gamma/beta" : " plain");
                    MemorySegment x = random(arena, n + 2, 19);
                    for (int i = 0; i < n + 2; i++) FloatSegments.set(x, i, 3 + 2 * FloatSegments.get(x, i));
                    MemorySegment gamma = affine ? random(arena, cols, 20) : null;
                    MemorySegment beta = affine ? random(arena, cols, 21) : null;
                    MemorySegment y = FloatSegments.allocate(arena, n), yGpu = FloatSegments.allocate(arena, n);
                    MemorySegment mean = FloatSegments.allocate(arena, rows), meanGpu = FloatSegments.allocate(arena, rows);
                    MemorySegment rstd = FloatSegments.allocate(arena, rows), rstdGpu = FloatSegments.allocate(arena, rows);
                    reference.layerNormRows(rows, cols, 1e-5f, x, 2, gamma, beta, y, 0, mean, rstd);
                    cuda.layerNormRows(rows, cols, 1e-5f, x, 2, gamma, beta, yGpu, 0, meanGpu, rstdGpu);
                    assertClose("layer norm" + what, y, yGpu, 0, n, 1e-5, 1e-4);
                    assertClose("mean" + what, mean, meanGpu, 0, rows, 1e-6, 1e-5);
                    assertClose("rstd" + what, rstd, rstdGpu, 0, rows, 1e-6, 1e-4);

                    MemorySegment dy = random(arena, n, 22);
                    MemorySegment dx = FloatSegments.allocate(arena, n), dxGpu = FloatSegments.allocate(arena, n);
                    // dgamma/dbeta start non-zero: the backward pass must add to them.
                    MemorySegment dgamma = random(arena, cols, 23), dgammaGpu = copy(arena, dgamma);
                    MemorySegment dbeta = random(arena, cols, 24), dbetaGpu = copy(arena, dbeta);
                    reference.layerNormBackwardRows(rows, cols, x, 2, mean, rstd, gamma, dy, 0, dx, 0, dgamma, dbeta);
                    cuda.layerNormBackwardRows(rows, cols, x, 2, mean, rstd, gamma, dy, 0, dxGpu, 0, dgammaGpu, dbetaGpu);
                    assertClose("layer norm dx" + what, dx, dxGpu, 0, n, 1e-5, 1e-4);
                    assertClose("layer norm dgamma" + what, dgamma, dgammaGpu, 0, cols, 1e-5, 1e-5);
                    assertClose("layer norm dbeta" + what, dbeta, dbetaGpu, 0, cols, 1e-5, 1e-5);
                }
            }
        }
    }

    @Test
    void kthLargestAbsMatchesExactlyWithTiesAndNaN() {
        try (Arena arena = Arena.ofConfined()) {
            int n = 10_000;
            MemorySegment x = random(arena, n + 1, 25);
            for (long k : new long[] {1, 17, 5000, n}) {
                assertEquals(reference.kthLargestAbs(n, k, x, 1), cuda.kthLargestAbs(n, k, x, 1), "k=" + k);
            }
            // Heavy ties: 9 distinct magnitudes, both signs.
            for (int i = 0; i < n; i++) FloatSegments.set(x, i, Math.round(FloatSegments.get(x, i) * 4) / 4f);
            for (long k : new long[] {1, 100, 2500, 7777, n}) {
                assertEquals(reference.kthLargestAbs(n, k, x, 0), cuda.kthLargestAbs(n, k, x, 0), "ties, k=" + k);
            }
            FloatSegments.set(x, 123, Float.NaN);
            FloatSegments.set(x, 456, Float.NEGATIVE_INFINITY);
            assertEquals(Float.NaN, cuda.kthLargestAbs(n, 1, x, 0));
            assertEquals(Float.POSITIVE_INFINITY, cuda.kthLargestAbs(n, 2, x, 0));
            assertEquals(reference.kthLargestAbs(n, 3, x, 0), cuda.kthLargestAbs(n, 3, x, 0));
        }
    }

    @Test
    void gemmDelegatesToTheFp32Kernel() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = FloatSegments.of(arena, 1, 2, 3, 4, 5, 6);
            MemorySegment b = FloatSegments.of(arena, 1, 2, 3, 4, 5, 6);
            MemorySegment c = FloatSegments.allocate(arena, 4);
            cuda.gemm(false, true, 2, 2, 3, 1f, a, 0, 3, b, 0, 3, 0f, c, 0, 2);
            assertEquals(14f, FloatSegments.get(c, 0));
            assertEquals(32f, FloatSegments.get(c, 1));
            assertEquals(32f, FloatSegments.get(c, 2));
            assertEquals(77f, FloatSegments.get(c, 3));
        }
    }
}
