package amalgam.kernels.scalar;

import amalgam.kernels.ElectedMean;
import amalgam.kernels.ElectedMean.Divisor;
import amalgam.kernels.ElectedMean.Election;
import amalgam.kernels.FloatSegments;
import amalgam.kernels.Precision;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The reference merge sweeps against what they mean: the rank window against sorting (Float.compare order on
 * |x|, ties by index), and the elected mean against examples worked by hand.
 */
class ScalarMergeSweepsTest {

    private static final Arena ARENA = Arena.ofAuto();
    private final ScalarBackend reference = new ScalarBackend();

    /** Sorts indices by |x| descending (NaN first, ±0 equal), ties by lower index; keeps ranks [from, to). */
    private static float[] keepBySorting(float[] x, int from, int to) {
        Integer[] order = IntStream.range(0, x.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.<Integer, Float>comparing(i -> Math.abs(x[i]), Comparator.reverseOrder())
                .thenComparingInt(i -> i));
        float[] out = new float[x.length];
        for (int r = from; r < Math.min(to, x.length); r++) out[order[r]] = x[order[r]];
        return out;
    }

    private float[] keep(float[] x, long from, long to) {
        MemorySegment out = FloatSegments.allocate(ARENA, x.length);
        reference.keepMagnitudeRanks(x.length, FloatSegments.of(ARENA, x), from, to, out);
        return FloatSegments.toArray(out, 0, x.length);
    }

    @Test
    void tiesGoToTheLowerIndex() {
        float[] x = {1, -2, 2, -1, 2, 0.5f};
        assertArrayEquals(new float[] {0, -2, 2, 0, 0, 0}, keep(x, 0, 2));
        assertArrayEquals(new float[] {0, 0, 0, 0, 2, 0}, keep(x, 2, 3));
        assertArrayEquals(new float[] {1, 0, 0, -1, 2, 0}, keep(x, 2, 5));
    }

    @Test
    void nanRanksFirstAndSignedZerosTie() {
        float[] x = {3, -0f, Float.NaN, 0f, Float.NEGATIVE_INFINITY, 1};
        assertArrayEquals(new float[] {0, 0, Float.NaN, 0, Float.NEGATIVE_INFINITY, 0}, keep(x, 0, 2));
        // Ranks: NaN, −∞, 3, 1, −0 (index 1 outranks the equal +0 at index 3), +0. The kept −0 stays −0.
        float[] rankFour = keep(x, 4, 5);
        assertArrayEquals(new int[] {0, 0x80000000, 0, 0, 0, 0},
                IntStream.range(0, 6).map(i -> Float.floatToRawIntBits(rankFour[i])).toArray());
    }

    @Test
    void rankWindowMatchesSortingOnTiedData() {
        Random random = new Random(7);
        for (int n : new int[] {1, 7, 33, 257, 1031}) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                int kind = random.nextInt(12);
                x[i] = kind == 0 ? Float.NaN : kind == 1 ? -0f : kind < 6 ? (random.nextInt(5) - 2) / 2f
                        : (float) random.nextGaussian();
            }
            for (int[] w : new int[][] {{0, 0}, {0, 1}, {0, n / 3}, {n / 10, n / 10 + n / 3}, {0, n}, {0, n + 2},
                    {n - 1, n}, {n, n + 4}}) {
                assertArrayEquals(keepBySorting(x, w[0], w[1]), keep(x, w[0], w[1]),
                        "n=" + n + " window [" + w[0] + ", " + w[1] + ")");
            }
        }
    }

    @Test
    void rejectsAnInvertedWindowAndDoublePrecision() {
        MemorySegment x = FloatSegments.of(ARENA, 1, 2, 3);
        assertThrows(IllegalArgumentException.class, () -> reference.keepMagnitudeRanks(3, x, 2, 1, x));
        ScalarBackend f64 = new ScalarBackend(Precision.F64);
        assertThrows(UnsupportedOperationException.class, () -> f64.keepMagnitudeRanks(3, x, 0, 1, x));
    }

    private float[] mean(ElectedMean mean, double[] weights, float[]... tensors) {
        int n = tensors[0].length;
        MemorySegment[] segments = Arrays.stream(tensors).map(t -> FloatSegments.of(ARENA, t))
                .toArray(MemorySegment[]::new);
        MemorySegment out = FloatSegments.allocate(ARENA, n);
        reference.electedMean(mean, n, segments, weights, out);
        return FloatSegments.toArray(out, 0, n);
    }

    private static final float[] A = {1, -2, 0, 3};
    private static final float[] B = {-3, -1, 0, 1};

    @Test
    void tiesElectsBySumAndAveragesTheAgreeingEntries() {
        // Votes: −2 (−), −3 (−), 0 (+, but zeros never agree), 4 (+).
        ElectedMean ties = new ElectedMean(Election.TOTAL, false, Divisor.AGREEING_COUNT, 1);
        assertArrayEquals(new float[] {-3, -1.5f, 0, 2}, mean(ties, new double[] {1, 1}, A, B));
    }

    @Test
    void frequencyElectsByCountingSigns() {
        // Entry 0: one + and one − vote: 0 elects +, so only A's 1 agrees.
        ElectedMean frequency = new ElectedMean(Election.FREQUENCY, false, Divisor.AGREEING_COUNT, 1);
        assertArrayEquals(new float[] {1, -1.5f, 0, 2}, mean(frequency, new double[] {1, 1}, A, B));
    }

    @Test
    void mergekitElectsOnWeightedValuesAndDividesByTheAgreeingWeight() {
        // Weights 2 and 0.5. Entry 0: votes 2 − 1.5 = 0.5 (+): A alone, 2·1 / 2 = 1. Entry 1: both agree,
        // (−4 − 0.5) / 2.5 = −1.8. Entry 2: none, 0 / 1. Entry 3: (6 + 0.5) / 2.5 = 2.6; then λ = 0.5.
        ElectedMean mergekit = new ElectedMean(Election.TOTAL, true, Divisor.AGREEING_WEIGHT, 0.5);
        assertArrayEquals(new float[] {0.5f, -0.9f, 0, 1.3f}, mean(mergekit, new double[] {2, 0.5}, A, B));
    }

    @Test
    void withoutAnElectionEveryTensorCountsAndCancellingWeightsDivideByOne() {
        ElectedMean linear = new ElectedMean(Election.NONE, false, Divisor.ONE, 1);
        assertArrayEquals(new float[] {-0.5f, -0.75f, 0, 1}, mean(linear, new double[] {0.25, 0.25}, A, B));
        // Σ w = 0 over the agreeing entries: the guard divides by 1 instead.
        ElectedMean normalised = new ElectedMean(Election.NONE, false, Divisor.AGREEING_WEIGHT, 1);
        assertArrayEquals(new float[] {4, -1, 0, 2}, mean(normalised, new double[] {1, -1}, A, B));
    }
}
