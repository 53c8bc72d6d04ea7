package amalgam.merge.algorithms;

import amalgam.kernels.scalar.ScalarGemm;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Test helpers for low-rank updates: building them, their dense ΔW in double, and comparing. */
final class LowRank {

    private LowRank() {}

    static LowRankUpdate update(int out, int in, float[] b, float[] a, double scale) {
        int rank = a.length / in;
        return new LowRankUpdate(DenseMatrix.of(Fixtures.ARENA, out, rank, b),
                DenseMatrix.of(Fixtures.ARENA, rank, in, a), scale);
    }

    static LowRankUpdate random(Random random, int out, int in, int rank, double scale) {
        return update(out, in, Fixtures.random(random, out * rank), Fixtures.random(random, rank * in), scale);
    }

    /** scale · B · A in double, row-major. */
    static double[] delta(LowRankUpdate u) {
        int out = u.outFeatures(), in = u.inFeatures();
        double[] d = new double[out * in];
        for (int i = 0; i < out; i++) {
            for (int j = 0; j < in; j++) {
                double sum = 0;
                for (int k = 0; k < u.rank(); k++) sum += (double) u.b().get(i, k) * u.a().get(k, j);
                d[i * in + j] = u.scale() * sum;
            }
        }
        return d;
    }

    /** The dense delta as the library computes it (fp32 GEMM). */
    static float[] libraryDelta(LowRankUpdate u) {
        return u.delta(new ScalarGemm(), Fixtures.ARENA).toArray();
    }

    static double[] weightedSum(LowRankUpdate[] updates, double[] weights) {
        double[] sum = new double[updates[0].outFeatures() * updates[0].inFeatures()];
        for (int i = 0; i < updates.length; i++) {
            double[] d = delta(updates[i]);
            for (int e = 0; e < sum.length; e++) sum[e] += weights[i] * d[e];
        }
        return sum;
    }

    static double frobenius(double[] x) {
        double s = 0;
        for (double v : x) s += v * v;
        return Math.sqrt(s);
    }

    /** Asserts two deltas agree to {@code relative} of the expected one's Frobenius norm, elementwise. */
    static void assertDeltaEquals(double[] expected, double[] actual, double relative) {
        double tolerance = relative * Math.max(frobenius(expected), 1e-30);
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], tolerance, "element " + i);
    }

    /** The same update with its rank slices reordered by {@code order}. */
    static LowRankUpdate permuteSlices(LowRankUpdate u, int[] order) {
        int out = u.outFeatures(), in = u.inFeatures(), r = u.rank();
        float[] b = new float[out * r], a = new float[r * in];
        for (int k = 0; k < r; k++) {
            for (int i = 0; i < out; i++) b[i * r + k] = u.b().get(i, order[k]);
            for (int j = 0; j < in; j++) a[k * in + j] = u.a().get(order[k], j);
        }
        return update(out, in, b, a, u.scale());
    }
}
