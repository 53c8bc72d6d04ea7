package amalgam.kernels.scalar;

import amalgam.kernels.BinaryOp;
import amalgam.kernels.Precision;
import amalgam.kernels.ReduceOp;
import amalgam.kernels.UnaryOp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hand-computed values for the reference backend, in both precisions. */
class ScalarBackendTest {

    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() {
        arena.close();
    }

    /** fp32 results are one rounding away from the exact value; fp64 ones far closer. */
    private static double tolerance(Precision p) {
        return p == Precision.F32 ? 1e-6 : 1e-12;
    }

    private static void assertClose(Precision p, double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            if (Double.isNaN(expected[i])) {
                assertTrue(Double.isNaN(actual[i]), "element " + i + " should be NaN, was " + actual[i]);
                continue;
            }
            double tol = tolerance(p) * Math.max(1.0, Math.abs(expected[i]));
            assertEquals(expected[i], actual[i], tol, "element " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void softmaxOfSmallVectorMatchesHandComputation(Precision p) {
        ScalarBackend backend = new ScalarBackend(p);
        MemorySegment x = p.of(arena, 1, 2, 3, 5, 5, 5);
        MemorySegment out = p.allocate(arena, 6);
        backend.softmaxRows(2, 3, x, 0, out, 0);
        double sum = 1 + Math.exp(-1) + Math.exp(-2);
        assertClose(p, new double[] {Math.exp(-2) / sum, Math.exp(-1) / sum, 1 / sum, 1.0 / 3, 1.0 / 3, 1.0 / 3},
                p.toArray(out, 0, 6));
        // Hand-computed digits, so the formula above is not the only oracle.
        assertEquals(0.66524096, p.get(out, 2), 1e-7);

        backend.logSoftmaxRows(2, 3, x, 0, out, 0);
        double logSum = Math.log(sum);
        assertClose(p, new double[] {-2 - logSum, -1 - logSum, -logSum, -Math.log(3), -Math.log(3), -Math.log(3)},
                p.toArray(out, 0, 6));
        assertEquals(-0.40760596, p.get(out, 2), 1e-7);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void softmaxOfRowWithNaNIsNaN(Precision p) {
        ScalarBackend backend = new ScalarBackend(p);
        MemorySegment x = p.of(arena, 1, Double.NaN, 3);
        backend.softmaxRows(1, 3, x, 0, x, 0);
        for (double v : p.toArray(x, 0, 3)) assertTrue(Double.isNaN(v));
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void layerNormOfOneToFour(Precision p) {
        ScalarBackend backend = new ScalarBackend(p);
        MemorySegment x = p.of(arena, 1, 2, 3, 4);
        MemorySegment y = p.allocate(arena, 4);
        MemorySegment mean = p.allocate(arena, 1);
        MemorySegment rstd = p.allocate(arena, 1);
        backend.layerNormRows(1, 4, 0f, x, 0, null, null, y, 0, mean, rstd);
        // mean 2.5, biased variance 1.25, so x̂ = (x − 2.5)/√1.25.
        double s = Math.sqrt(1.25);
        assertClose(p, new double[] {-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s}, p.toArray(y, 0, 4));
        assertEquals(-1.3416407865, p.get(y, 0), 1e-6);
        assertEquals(2.5, p.get(mean, 0), 0);
        assertEquals(1 / s, p.get(rstd, 0), tolerance(p));

        MemorySegment gamma = p.of(arena, 2, 2, 1, 1);
        MemorySegment beta = p.of(arena, 0, 1, 0, -1);
        backend.layerNormRows(1, 4, 0f, x, 0, gamma, beta, y, 0, null, null);
        assertClose(p, new double[] {-3 / s, -1 / s + 1, 0.5 / s, 1.5 / s - 1}, p.toArray(y, 0, 4));
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void reduceSumMaxMeanAlongMiddleAxis(Precision p) {
        ScalarBackend backend = new ScalarBackend(p);
        double[] values = new double[12];
        for (int i = 0; i < 12; i++) values[i] = i;
        MemorySegment x = p.of(arena, values); // shape [2, 3, 2]
        MemorySegment out = p.allocate(arena, 4);
        backend.reduce(ReduceOp.SUM, 2, 3, 2, x, 0, out, 0);
        assertClose(p, new double[] {6, 9, 24, 27}, p.toArray(out, 0, 4));
        backend.reduce(ReduceOp.MAX, 2, 3, 2, x, 0, out, 0);
        assertClose(p, new double[] {4, 5, 10, 11}, p.toArray(out, 0, 4));
        backend.reduce(ReduceOp.MEAN, 2, 3, 2, x, 0, out, 0);
        assertClose(p, new double[] {2, 3, 8, 9}, p.toArray(out, 0, 4));

        p.set(x, 3, Double.NaN);
        backend.reduce(ReduceOp.MAX, 2, 3, 2, x, 0, out, 0);
        assertTrue(Double.isNaN(p.get(out, 1)));
        assertEquals(4, p.get(out, 0));

        backend.reduce(ReduceOp.SUM, 1, 0, 1, x, 0, out, 0);
        assertEquals(0, p.get(out, 0));
        backend.reduce(ReduceOp.MEAN, 1, 0, 1, x, 0, out, 0);
        assertTrue(Double.isNaN(p.get(out, 0)));
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void binaryBroadcastsRowsColumnsAndScalars(Precision p) {
        ScalarBackend backend = new ScalarBackend(p);
        MemorySegment out = p.allocate(arena, 6);

        // [2,3] + [3]
        MemorySegment a = p.of(arena, 1, 2, 3, 4, 5, 6);
        MemorySegment row = p.of(arena, 10, 20, 30);
        backend.binary(BinaryOp.ADD, new int[] {2, 3}, a, 0, new long[] {3, 1}, row, 0, new long[] {0, 1}, out, 0);
        assertClose(p, new double[] {11, 22, 33, 14, 25, 36}, p.toArray(out, 0, 6));

        // [2,1] * [1,3]: an outer product
        MemorySegment column = p.of(arena, 1, 2);
        MemorySegment three = p.of(arena, 3, 4, 5);
        backend.binary(BinaryOp.MUL, new int[] {2, 3}, column, 0, new long[] {1, 0}, three, 0, new long[] {0, 1},
                out, 0);
        assertClose(p, new double[] {3, 4, 5, 6, 8, 10}, p.toArray(out, 0, 6));

        // [2,3] − scalar, written in place over a
        MemorySegment scalar = p.of(arena, 0.5);
        backend.binary(BinaryOp.SUB, new int[] {2, 3}, a, 0, new long[] {3, 1}, scalar, 0, new long[] {0, 0}, a, 0);
        assertClose(p, new double[] {0.5, 1.5, 2.5, 3.5, 4.5, 5.5}, p.toArray(a, 0, 6));

        // rank 0: one element
        backend.binary(BinaryOp.POW, new int[0], row, 1, new long[0], scalar, 0, new long[0], out, 0);
        assertEquals(Math.sqrt(20), p.get(out, 0), tolerance(p) * 5);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void binaryOpsFollowTheirDefinitions(Precision p) {
        ScalarBackend backend = new ScalarBackend(p);
        MemorySegment a = p.of(arena, 2, -1, 0, Double.NaN);
        MemorySegment b = p.of(arena, 2, 3, -4, 1);
        MemorySegment out = p.allocate(arena, 4);
        long[] unit = {1};
        int[] shape = {4};
        backend.binary(BinaryOp.EQUAL, shape, a, 0, unit, b, 0, unit, out, 0);
        assertArrayEquals(new double[] {1, 0, 0, 0}, p.toArray(out, 0, 4));
        backend.binary(BinaryOp.RELU_BACKWARD, shape, a, 0, unit, b, 0, unit, out, 0);
        assertArrayEquals(new double[] {2, 0, 0, 0}, p.toArray(out, 0, 4));
        backend.binary(BinaryOp.MAX, shape, a, 0, unit, b, 0, unit, out, 0);
        assertArrayEquals(new double[] {2, 3, 0, Double.NaN}, p.toArray(out, 0, 4));
        backend.binary(BinaryOp.MIN, shape, a, 0, unit, b, 0, unit, out, 0);
        assertArrayEquals(new double[] {2, -1, -4, Double.NaN}, p.toArray(out, 0, 4));
        backend.binary(BinaryOp.DIV, shape, a, 0, unit, b, 0, unit, out, 0);
        assertClose(p, new double[] {1, -1.0 / 3, -0.0, Double.NaN}, p.toArray(out, 0, 4));
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void copyStridedTransposes(Precision p) {
        ScalarBackend backend = new ScalarBackend(p);
        MemorySegment src = p.of(arena, 1, 2, 3, 4, 5, 6); // [2,3]
        MemorySegment dst = p.allocate(arena, 6);
        backend.copyStrided(new int[] {3, 2}, src, 0, new long[] {1, 3}, dst, 0);
        assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, p.toArray(dst, 0, 6));
        // a column slice starting at an offset
        backend.copyStrided(new int[] {2}, src, 1, new long[] {3}, dst, 0);
        assertArrayEquals(new double[] {2, 5}, p.toArray(dst, 0, 2));
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void kthLargestAbsCountsTiesAndRanksNaNFirst(Precision p) {
        ScalarBackend backend = new ScalarBackend(p);
        MemorySegment x = p.of(arena, 3, -5, 5, 1, -2);
        assertEquals(5f, backend.kthLargestAbs(5, 1, x, 0));
        assertEquals(5f, backend.kthLargestAbs(5, 2, x, 0));
        assertEquals(3f, backend.kthLargestAbs(5, 3, x, 0));
        assertEquals(1f, backend.kthLargestAbs(5, 5, x, 0));
        assertEquals(2f, backend.kthLargestAbs(3, 2, x, 2)); // |5|, |1|, |-2| from offset 2

        MemorySegment withNaN = p.of(arena, 1, Double.NaN, -7, Double.NEGATIVE_INFINITY);
        assertTrue(Float.isNaN(backend.kthLargestAbs(4, 1, withNaN, 0)));
        assertEquals(Float.POSITIVE_INFINITY, backend.kthLargestAbs(4, 2, withNaN, 0));
        assertEquals(7f, backend.kthLargestAbs(4, 3, withNaN, 0));
        assertThrows(IllegalArgumentException.class, () -> backend.kthLargestAbs(4, 5, withNaN, 0));
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void geluValues(Precision p) {
        ScalarBackend backend = new ScalarBackend(p);
        MemorySegment x = p.of(arena, -1, 0, 1, 3);
        MemorySegment out = p.allocate(arena, 4);
        // Φ(1) = 0.8413447460685429, φ(1) = 0.24197072451914337, Φ(3) = 0.9986501019683699
        backend.unary(UnaryOp.GELU_ERF, 4, x, 0, out, 0);
        assertClose(p, new double[] {-0.15865525393145707, 0, 0.8413447460685429, 3 * 0.9986501019683699},
                p.toArray(out, 0, 4));
        backend.unary(UnaryOp.GELU_ERF_DERIVATIVE, 4, x, 0, out, 0);
        assertClose(p, new double[] {0.15865525393145707 - 0.24197072451914337, 0.5,
                0.8413447460685429 + 0.24197072451914337, 0.9986501019683699 + 3 * 0.0044318484119380075},
                p.toArray(out, 0, 4));
        backend.unary(UnaryOp.GELU_TANH, 4, x, 0, out, 0);
        double inner = Math.sqrt(2 / Math.PI) * (1 + 0.044715);
        assertEquals(0.5 * (1 + Math.tanh(inner)), p.get(out, 2), tolerance(p));
        assertEquals(0.8411919906, p.get(out, 2), 1e-7);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void siluValues(Precision p) {
        ScalarBackend backend = new ScalarBackend(p);
        MemorySegment x = p.of(arena, -1, 0, 1, 3);
        MemorySegment out = p.allocate(arena, 4);
        // σ(1) = 0.7310585786300049, σ(3) = 0.9525741268224334
        backend.unary(UnaryOp.SILU, 4, x, 0, out, 0);
        assertClose(p, new double[] {-(1 - 0.7310585786300049), 0, 0.7310585786300049, 3 * 0.9525741268224334},
                p.toArray(out, 0, 4));
        backend.unary(UnaryOp.SILU_DERIVATIVE, 4, x, 0, out, 0);
        assertClose(p, new double[] {(1 - 0.7310585786300049) * (1 - 0.7310585786300049), 0.5,
                0.7310585786300049 * (1 + (1 - 0.7310585786300049)),
                0.9525741268224334 * (1 + 3 * (1 - 0.9525741268224334))}, p.toArray(out, 0, 4));
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void affineFillAndUnary(Precision p) {
        ScalarBackend backend = new ScalarBackend(p);
        MemorySegment x = p.of(arena, 4, -1, 0.25);
        MemorySegment out = p.allocate(arena, 3);
        backend.affine(3, 2f, 1f, x, 0, out, 0);
        assertArrayEquals(new double[] {9, -1, 1.5}, p.toArray(out, 0, 3));
        backend.unary(UnaryOp.SQRT, 1, x, 0, out, 0);
        backend.unary(UnaryOp.RECIPROCAL, 1, x, 2, out, 1);
        backend.unary(UnaryOp.RELU, 1, x, 1, out, 2);
        assertArrayEquals(new double[] {2, 4, 0}, p.toArray(out, 0, 3));
        backend.fill(2, 7f, out, 1);
        assertArrayEquals(new double[] {2, 7, 7}, p.toArray(out, 0, 3));
    }

    @Test
    void f64KeepsDoublePrecisionAndF32RoundsOnce() {
        MemorySegment x64 = Precision.F64.of(arena, 0.1, 1e-12);
        MemorySegment out64 = Precision.F64.allocate(arena, 1);
        new ScalarBackend(Precision.F64).affine(1, 1f, 0f, x64, 0, out64, 0);
        assertEquals(0.1, Precision.F64.get(out64, 0));
        // 1 + 1e-12 survives in double, not in float
        new ScalarBackend(Precision.F64).binary(BinaryOp.ADD, new int[0], x64, 1, new long[0],
                Precision.F64.of(arena, 1), 0, new long[0], out64, 0);
        assertEquals(1 + 1e-12, Precision.F64.get(out64, 0));

        MemorySegment x32 = Precision.F32.of(arena, 0.1);
        MemorySegment out32 = Precision.F32.allocate(arena, 1);
        new ScalarBackend(Precision.F32).affine(1, 1f, 0f, x32, 0, out32, 0);
        assertEquals((double) 0.1f, Precision.F32.get(out32, 0));
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void gemmDelegatesInTheBackendPrecision(Precision p) {
        ScalarBackend backend = new ScalarBackend(p);
        MemorySegment a = p.of(arena, 1, 2, 3, 4);       // [[1,2],[3,4]]
        MemorySegment b = p.of(arena, 5, 6, 7, 8);       // [[5,6],[7,8]]
        MemorySegment c = p.of(arena, 1, 1, 1, 1);
        backend.gemm(false, true, 2, 2, 2, 1f, a, 0, 2, b, 0, 2, 0.5f, c, 0, 2);
        // A·Bᵀ = [[17,23],[39,53]], plus 0.5
        assertArrayEquals(new double[] {17.5, 23.5, 39.5, 53.5}, p.toArray(c, 0, 4));
    }
}
