package amalgam.merge.algorithms;

import amalgam.kernels.FloatSegments;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;

import static amalgam.merge.algorithms.Fixtures.ARENA;
import static amalgam.merge.algorithms.Fixtures.CTX;
import static amalgam.merge.algorithms.Fixtures.seg;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MagnitudeSparsifierTest {

    private static float[] sparsify(Sparsifier s, float[] t) {
        MemorySegment out = FloatSegments.allocate(ARENA, t.length);
        s.sparsify(1, t.length, seg(t), 0, 0, out);
        return FloatSegments.toArray(out, 0, t.length);
    }

    /** Reference by sorting: rank 0 = largest |t|, equal magnitudes ranked by lower index first. */
    private static float[] keepRanks(float[] t, long from, long to) {
        Integer[] order = IntStream.range(0, t.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -Math.abs(t[i])).thenComparingInt(i -> i));
        float[] out = new float[t.length];
        for (int r = (int) from; r < to; r++) out[order[r]] = t[order[r]];
        return out;
    }

    @Test
    void tiesGoToTheLowerIndex() {
        float[] t = {1, -2, 2, -1, 2, 0.5f};
        assertArrayEquals(new float[] {0, -2, 2, 0, 0, 0}, sparsify(MagnitudeSparsifier.topDensity(CTX, 2 / 6.0 + 1e-9), t));
        assertArrayEquals(new float[] {1, -2, 2, 0, 2, 0}, sparsify(MagnitudeSparsifier.topDensity(CTX, 4 / 6.0 + 1e-9), t));
    }

    @Test
    void matchesTheSortingReferenceAcrossManyChunks() {
        Random random = new Random(8);
        int n = 100_003; // several chunks, the last one partial
        float[] t = new float[n];
        // Few distinct magnitudes, so the threshold value is shared by entries in many chunks.
        for (int i = 0; i < n; i++) t[i] = (random.nextInt(41) - 20) / 4f;
        for (double d : new double[] {0.01, 0.2, 0.5, 0.93}) {
            long k = (long) Math.floor(d * n);
            assertArrayEquals(keepRanks(t, 0, k), sparsify(MagnitudeSparsifier.topDensity(CTX, d), t), "d=" + d);
        }
    }

    @Test
    void densityOneKeepsEverythingAndZeroKeepsNothing() {
        float[] t = Fixtures.T1;
        assertArrayEquals(t, sparsify(MagnitudeSparsifier.topDensity(CTX, 1), t));
        assertArrayEquals(t, sparsify(MagnitudeSparsifier.topDensity(CTX, 1.5), t));
        assertArrayEquals(new float[6], sparsify(MagnitudeSparsifier.topDensity(CTX, 0), t));
    }

    @Test
    void negativeOrNaNDensityIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> MagnitudeSparsifier.topDensity(CTX, -0.1));
        assertThrows(IllegalArgumentException.class, () -> MagnitudeSparsifier.topDensity(CTX, Double.NaN));
    }

    @Test
    void breadcrumbsDropsTheTopOutliersAndTheSmallTail() {
        Random random = new Random(4);
        float[] t = Fixtures.random(random, 1000);
        // γ·n = 50 outliers dropped, the next 300 kept.
        assertArrayEquals(keepRanks(t, 50, 350), sparsify(MagnitudeSparsifier.breadcrumbs(CTX, 0.3, 0.05), t));
    }

    @Test
    void breadcrumbsWithFewerThanOneOutlierKeepsTheTopEntries() {
        // γ·n = 0.06 < 1: mergekit zeroes the whole tensor here; the intended slice keeps the top ⌊d·n⌋.
        assertArrayEquals(new float[] {0, -1.3f, 2.0f, 0, 0, -1.5f},
                sparsify(MagnitudeSparsifier.breadcrumbs(CTX, 0.5, 0.01), Fixtures.T1));
    }

    @Test
    void breadcrumbsShiftsTheWindowWhenDensityAndGammaExceedOne() {
        float[] t = Fixtures.T1;
        // ⌊0.5·6⌋ = 3 kept; γ = 0.9 would drop 5, so only 3 are dropped: ranks [3, 6).
        assertArrayEquals(keepRanks(t, 3, 6), sparsify(MagnitudeSparsifier.breadcrumbs(CTX, 0.5, 0.9), t));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 7, 33, 257, 4099})
    void vectorSweepMatchesTheSortingReferenceOnAwkwardSizes(int n) {
        Random random = new Random(n);
        float[] t = new float[n];
        // Half drawn from few magnitudes (ties with the threshold in mixed vectors), half continuous.
        for (int i = 0; i < n; i++) {
            t[i] = random.nextBoolean() ? (random.nextInt(9) - 4) / 2f : (float) random.nextGaussian();
        }
        for (double d : new double[] {0, 0.2, 0.5, 0.99, 1}) {
            long k = (long) Math.floor(d * n);
            assertArrayEquals(keepRanks(t, 0, k), sparsify(MagnitudeSparsifier.topDensity(CTX, d), t), "d=" + d);
        }
        long drop = (long) Math.floor(0.1 * n), keep = (long) Math.floor(0.3 * n);
        assertArrayEquals(keepRanks(t, drop, drop + keep),
                sparsify(MagnitudeSparsifier.breadcrumbs(CTX, 0.3, 0.1), t), "breadcrumbs");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {7, 33, 257})
    void sparsifyingInPlaceEqualsSparsifyingIntoACopy(int n) {
        float[] t = Fixtures.random(new Random(n), n);
        MemorySegment inPlace = seg(t);
        MagnitudeSparsifier.topDensity(CTX, 0.3).sparsify(1, n, inPlace, 0, 0, inPlace);
        assertArrayEquals(keepRanks(t, 0, (long) Math.floor(0.3 * n)), FloatSegments.toArray(inPlace, 0, n));
    }

    @Test
    void nanEntriesRankAboveEveryNumberInTheVectorSweep() {
        float[] t = new float[40];
        for (int i = 0; i < t.length; i++) t[i] = i + 1;
        t[5] = Float.NaN;
        float[] kept = sparsify(MagnitudeSparsifier.topDensity(CTX, 3 / 40.0 + 1e-9), t);
        float[] expected = new float[40];
        expected[5] = Float.NaN;
        expected[38] = 39;
        expected[39] = 40;
        assertArrayEquals(expected, kept);
    }
}
