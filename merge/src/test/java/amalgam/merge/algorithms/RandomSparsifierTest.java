package amalgam.merge.algorithms;

import amalgam.kernels.CounterRandom;
import amalgam.kernels.FloatSegments;
import amalgam.kernels.WorkerPool;
import amalgam.kernels.scalar.ScalarBackend;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;

import static amalgam.merge.algorithms.Fixtures.ARENA;
import static amalgam.merge.algorithms.Fixtures.CTX;
import static amalgam.merge.algorithms.Fixtures.T1;
import static amalgam.merge.algorithms.Fixtures.T2;
import static amalgam.merge.algorithms.Fixtures.seg;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** DARE and DELLA: unbiased, reproducible, independent of threads, and d = 0 gives zeros. */
class RandomSparsifierTest {

    private static float[] sparsify(Sparsifier s, int rows, int cols, float[] t, int adapter) {
        MemorySegment out = FloatSegments.allocate(ARENA, t.length);
        s.sparsify(rows, cols, seg(t), adapter, 0, out);
        return FloatSegments.toArray(out, 0, t.length);
    }

    /** The CPU's DARE masks are CounterRandom.keeps, the rule the CUDA kernels are checked against bit for bit. */
    @Test
    void seededMaskIsTheGeneratorTheGpuShares() {
        KeepMask seeded = KeepMask.seeded(42);
        for (long stream : new long[] {0, 3, 1000}) {
            for (int adapter = 0; adapter < 3; adapter++) {
                for (long i = 0; i < 500; i++) {
                    assertEquals(CounterRandom.keeps(42, stream, adapter, i, 0.3), seeded.keep(adapter, stream, i, 0.3));
                }
            }
        }
        // Element 7 of adapter 1 in stream 0 draws 0x1.18032c1b2eb8ap-2 ≈ 0.27345 (CounterRandomTest's table).
        assertEquals(true, seeded.keep(1, 0, 7, 0.2735));
        assertFalse(seeded.keep(1, 0, 7, 0.2734));
    }

    @Test
    void dareLinearExpectationOverSeedsIsLinear() {
        int seeds = 4000;
        double d = 0.3;
        double[] mean = new double[T1.length];
        for (int seed = 0; seed < seeds; seed++) {
            TensorMerge dare = MergeMethod.DARE_LINEAR.tensorMerge(CTX, MergeSettings.defaults().withDensity(d).withSeed(seed));
            float[] merged = Fixtures.mergeExample(dare, 0.7, 0.3);
            for (int i = 0; i < mean.length; i++) mean[i] += merged[i] / (double) seeds;
        }
        for (int i = 0; i < mean.length; i++) {
            double linear = 0.7 * T1[i] + 0.3 * T2[i];
            // Standard error of the mean: sqrt((1−d)/d · Σ w²t²) / sqrt(seeds); allow five of them.
            double variance = (1 - d) / d * (Math.pow(0.7 * T1[i], 2) + Math.pow(0.3 * T2[i], 2));
            assertEquals(linear, mean[i], 5 * Math.sqrt(variance / seeds), "element " + i);
        }
    }

    @Test
    void dellaIsUnbiased() {
        int seeds = 4000;
        float[] t = {0.5f, -1.3f, 2.0f, -0.3f, 0.8f, -1.5f, 0.1f, 1.1f};
        double[] mean = new double[t.length];
        for (int seed = 0; seed < seeds; seed++) {
            float[] s = sparsify(new DellaSparsifier(CTX, 0.4, 0.2, Semantics.PEFT, KeepMask.seeded(seed)), 2, 4, t, 0);
            for (int i = 0; i < t.length; i++) mean[i] += s[i] / (double) seeds;
        }
        for (int i = 0; i < t.length; i++) {
            // The smallest keep probability is d − ε = 0.2, so the per-draw spread is at most 2|t|.
            assertEquals(t[i], mean[i], 5 * 2 * Math.abs(t[i]) / Math.sqrt(seeds), "element " + i);
        }
    }

    @Test
    void dellaKeepsLargeEntriesMoreOften() {
        float[] t = new float[200];
        for (int i = 0; i < t.length; i++) t[i] = i + 1;
        int keptSmall = 0, keptLarge = 0;
        for (int seed = 0; seed < 200; seed++) {
            float[] s = sparsify(new DellaSparsifier(CTX, 0.5, 0.4, Semantics.PEFT, KeepMask.seeded(seed)), 1, 200, t, 0);
            for (int i = 0; i < 20; i++) keptSmall += s[i] != 0 ? 1 : 0;
            for (int i = 180; i < 200; i++) keptLarge += s[i] != 0 ? 1 : 0;
        }
        // Expected keep rates ≈ 0.14 and ≈ 0.86 of 4000 draws each.
        assertEquals(0.14 * 4000, keptSmall, 200);
        assertEquals(0.86 * 4000, keptLarge, 200);
    }

    @Test
    void densityZeroGivesZerosNotNaN() {
        for (MergeMethod m : new MergeMethod[] {MergeMethod.DARE_LINEAR, MergeMethod.DARE_TIES, MergeMethod.TIES,
                MergeMethod.MAGNITUDE_PRUNE, MergeMethod.DELLA, MergeMethod.BREADCRUMBS}) {
            for (MergeSettings s : new MergeSettings[] {MergeSettings.defaults().withDensity(0),
                    MergeSettings.defaults().withDensity(0).withMergekit(1)}) {
                float[] merged = Fixtures.mergeExample(m.tensorMerge(CTX, s), 1, 1);
                assertArrayEquals(new float[6], merged, m + " " + s.semantics());
            }
        }
    }

    @Test
    void densityOneLeavesDareAndDellaUnchanged() {
        assertArrayEquals(T1, sparsify(new DareSparsifier(CTX, 1, Semantics.PEFT, KeepMask.seeded(1)), 1, 6, T1, 0));
        assertArrayEquals(T1, sparsify(new DellaSparsifier(CTX, 1, 0.1, Semantics.PEFT, KeepMask.seeded(1)), 1, 6, T1, 0));
    }

    @Test
    void invalidDensityIsAnError() {
        assertThrows(IllegalArgumentException.class,
                () -> new DareSparsifier(CTX, Double.NaN, Semantics.PEFT, KeepMask.seeded(1)));
        assertThrows(IllegalArgumentException.class,
                () -> MergeMethod.DARE_TIES.tensorMerge(CTX, MergeSettings.defaults().withDensity(-1)));
    }

    @Test
    void masksAreReproducibleAndIndependentOfThreadsAndAdapters() {
        float[] t = Fixtures.random(new Random(1), 70_000);
        DareSparsifier twoThreads = new DareSparsifier(CTX, 0.5, Semantics.PEFT, KeepMask.seeded(99));
        try (WorkerPool single = WorkerPool.of(1)) {
            ComputeContext serial = new ComputeContext(new ScalarBackend(), single);
            DareSparsifier oneThread = new DareSparsifier(serial, 0.5, Semantics.PEFT, KeepMask.seeded(99));
            assertArrayEquals(sparsify(oneThread, 7, 10_000, t, 0), sparsify(twoThreads, 7, 10_000, t, 0));
        }
        assertFalse(java.util.Arrays.equals(sparsify(twoThreads, 7, 10_000, t, 0), sparsify(twoThreads, 7, 10_000, t, 1)),
                "two adapters must get different masks");
        DareSparsifier otherSeed = new DareSparsifier(CTX, 0.5, Semantics.PEFT, KeepMask.seeded(100));
        assertNotEquals(java.util.Arrays.hashCode(sparsify(twoThreads, 7, 10_000, t, 0)),
                java.util.Arrays.hashCode(sparsify(otherSeed, 7, 10_000, t, 0)));
    }

    @Test
    void dareKeepsAboutTheDensity() {
        float[] t = new float[100_000];
        java.util.Arrays.fill(t, 1f);
        float[] s = sparsify(new DareSparsifier(CTX, 0.25, Semantics.PEFT, KeepMask.seeded(5)), 1, t.length, t, 0);
        int kept = 0;
        for (float v : s) {
            if (v != 0) {
                kept++;
                assertEquals(4f, v, 0f);
            }
        }
        assertEquals(25_000, kept, 5 * Math.sqrt(100_000 * 0.25 * 0.75));
    }

    @Test
    void mergekitDareRescalesToTheL1Norm() {
        float[] t = Fixtures.random(new Random(6), 1000);
        float[] s = sparsify(new DareSparsifier(CTX, 0.3, Semantics.MERGEKIT, KeepMask.seeded(3)), 1, t.length, t, 0);
        double before = 0, after = 0;
        for (int i = 0; i < t.length; i++) {
            before += Math.abs(t[i]);
            after += Math.abs(s[i]);
        }
        assertEquals(before, after, 1e-4 * before);
    }

    /**
     * Mergekit DELLA keeps the same entries as the paper's (same masks) but rescales the tensor to its L1 norm, as
     * current mergekit does, instead of each entry by 1/p: one factor for the whole tensor.
     */
    @Test
    void mergekitDellaRescalesToTheL1NormWithTheSameMask() {
        float[] t = Fixtures.random(new Random(7), 3 * 400);
        float[] paper = sparsify(new DellaSparsifier(CTX, 0.3, 0.15, Semantics.PEFT, KeepMask.seeded(4)), 3, 400, t, 0);
        float[] mergekit = sparsify(new DellaSparsifier(CTX, 0.3, 0.15, Semantics.MERGEKIT, KeepMask.seeded(4)), 3, 400,
                t, 0);
        double before = 0, kept = 0, after = 0;
        for (int i = 0; i < t.length; i++) {
            assertEquals(paper[i] != 0, mergekit[i] != 0, "mask at " + i);
            before += Math.abs(t[i]);
            if (mergekit[i] != 0) kept += Math.abs(t[i]);
            after += Math.abs(mergekit[i]);
        }
        assertEquals(before, after, 1e-5 * before);
        for (int i = 0; i < t.length; i++) {
            if (mergekit[i] != 0) assertEquals(t[i] * before / kept, mergekit[i], 1e-5 * Math.abs(mergekit[i]), "at " + i);
        }
    }

    @Test
    void tiesWithFullDensityAndAgreeingSignsIsTheMean() {
        float[] a = {1, -2, 3, 0.5f}, b = {3, -1, 1, 0.25f}, c = {2, -6, 2, 0.75f};
        TensorMerge ties = MergeMethod.TIES.tensorMerge(CTX, MergeSettings.defaults());
        float[] merged = Fixtures.merge(ties, 4, List.of(a, b, c), 1, 1, 1);
        Fixtures.assertClose(new float[] {2, -3, 2, 0.5f}, merged, 1e-6);
    }

    @Test
    void negativeWeightsSubtractInLinearMerges() {
        TensorMerge linear = MergeMethod.LINEAR.tensorMerge(CTX, MergeSettings.defaults());
        float[] merged = Fixtures.mergeExample(linear, 1, -1);
        for (int i = 0; i < T1.length; i++) assertEquals(T1[i] - T2[i], merged[i], 1e-6);
    }

    @Test
    void mergekitLambdaScalesTheResult() {
        MergeSettings s = MergeSettings.defaults().withDensity(0.5).withMergekit(2);
        float[] merged = Fixtures.mergeExample(MergeMethod.TIES.tensorMerge(CTX, s), 2, 0.5);
        Fixtures.assertClose(new float[] {0, -2.6f, 3.6f, 0, -4.0f, -3.0f}, merged, 1e-6);
    }

    @Test
    void dellaRanksWithinEachRow() {
        // Row 0 holds tiny values, row 1 large ones: ranking per row keeps each row's small entries equally rarely.
        float[] t = new float[200];
        for (int j = 0; j < 100; j++) {
            t[j] = (j + 1) * 1e-3f;
            t[100 + j] = j + 1;
        }
        int keptSmallRow0 = 0, keptSmallRow1 = 0;
        for (int seed = 0; seed < 200; seed++) {
            float[] s = sparsify(new DellaSparsifier(CTX, 0.5, 0.4, Semantics.PEFT, KeepMask.seeded(seed)), 2, 100, t, 0);
            for (int j = 0; j < 10; j++) {
                keptSmallRow0 += s[j] != 0 ? 1 : 0;
                keptSmallRow1 += s[100 + j] != 0 ? 1 : 0;
            }
        }
        // Keep probability of the ten smallest per row ≈ 0.1 to 0.17: about 270 of 2000 draws in each row.
        assertEquals(270, keptSmallRow0, 80);
        assertEquals(270, keptSmallRow1, 80);
    }

    @Test
    void mergekitNormalizeDividesByTheSummedWeights() {
        MergeSettings s = MergeSettings.defaults().withMergekit(1).withNormalize(true);
        float[] merged = Fixtures.mergeExample(MergeMethod.LINEAR.tensorMerge(CTX, s), 3, 1);
        for (int i = 0; i < T1.length; i++) assertEquals((3 * T1[i] + T2[i]) / 4, merged[i], 1e-6);
    }

    @Test
    void mergekitDareTiesDefaultsToNoNormalisation() {
        // d = 1 keeps everything; the weighted election and an unnormalised sum of agreeing entries remain.
        MergeSettings s = MergeSettings.defaults().withMergekit(1);
        float[] merged = Fixtures.mergeExample(MergeMethod.DARE_TIES.tensorMerge(CTX, s), 2, 0.5);
        // Weighted values: 2·t1 = [1, −2.6, 4, −0.6, 1.6, −3], 0.5·t2 = [−0.2, 0.6, 0.5, 0.05, −1, −0.3].
        Fixtures.assertClose(new float[] {1.0f, -2.6f, 4.5f, -0.6f, 1.6f, -3.3f}, merged, 1e-6);
    }
}
