package amalgam.kernels.cuda;

import amalgam.kernels.CounterRandom;
import amalgam.kernels.FloatSegments;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

import static amalgam.kernels.cuda.CudaTestSupport.assertClose;
import static amalgam.kernels.cuda.CudaTestSupport.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The merge kernels against docs/merging.md's hand-checked examples and against the plain host definitions
 * below on random data. Pruning, election and masks must match exactly; merged values to 1e-6 relative
 * (the kernel sums in double, the host reference too, in the same order).
 */
class CudaMergeTest {

    private static final float[] T1 = {0.5f, -1.3f, 2.0f, -0.3f, 0.8f, -1.5f};
    private static final float[] T2 = {-0.4f, 1.2f, 1.0f, 0.1f, -2.0f, -0.6f};

    private CudaMerge merge;

    @BeforeEach
    void requireGpu() {
        merge = new CudaMerge(CudaTestSupport.assumeCuda());
    }

    private float[] prune(float[] t, long k) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = FloatSegments.of(arena, t), out = FloatSegments.allocate(arena, t.length);
            merge.keepLargestAbs(t.length, k, x, 0, out, 0);
            return FloatSegments.toArray(out, 0, t.length);
        }
    }

    private float[] ties(SignElection mode, boolean normalize, float[] weights, float[]... pruned) {
        int n = pruned[0].length;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stack = FloatSegments.allocate(arena, (long) pruned.length * n);
            for (int t = 0; t < pruned.length; t++) FloatSegments.copyFromArray(pruned[t], 0, stack, (long) t * n, n);
            MemorySegment out = FloatSegments.allocate(arena, n);
            merge.tiesMerge(mode, normalize, pruned.length, n, stack, weights, out);
            return FloatSegments.toArray(out, 0, n);
        }
    }

    private static void assertValues(float[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-6, "entry " + i + " of " + Arrays.toString(actual));
        }
    }

    @Test
    void magnitudePruneExamples() {
        // d = 0.5 of 6 keeps 3; d = 0.3 keeps ⌊1.8⌋ = 1.
        assertArrayEquals(new float[] {0, -1.3f, 2.0f, 0, 0, -1.5f}, prune(T1, 3));
        assertArrayEquals(new float[] {0, 1.2f, 1.0f, 0, -2.0f, 0}, prune(T2, 3));
        assertArrayEquals(new float[] {0, 0, 2.0f, 0, 0, 0}, prune(T1, 1));
        assertArrayEquals(new float[] {0, 0, 0, 0, -2.0f, 0}, prune(T2, 1));
        assertArrayEquals(new float[6], prune(T1, 0));
        assertArrayEquals(T1, prune(T1, 6));
    }

    @Test
    void pruneBreaksTiesTowardLowerIndices() {
        assertArrayEquals(new float[] {1, -1, 0, 0, 0}, prune(new float[] {1, -1, 1, 0.5f, -1}, 2));
        assertArrayEquals(new float[] {0, 0, 3, 0, 0}, prune(new float[] {1, -1, 3, 0.5f, -1}, 1));
        assertArrayEquals(new float[] {1, -1, 3, 0, -1}, prune(new float[] {1, -1, 3, 0.5f, -1}, 4));
    }

    @Test
    void tiesExamples() {
        float[] p1 = prune(T1, 3), p2 = prune(T2, 3);
        assertValues(new float[] {0, -1.3f, 1.5f, 0, -2.0f, -1.5f}, ties(SignElection.TOTAL, false, new float[] {1, 1}, p1, p2));
        assertValues(new float[] {0, 1.2f, 1.5f, 0, -2.0f, -1.5f}, ties(SignElection.FREQUENCY, false, new float[] {1, 1}, p1, p2));
        assertValues(new float[] {0, -2.6f, 2.25f, 0, -1.0f, -3.0f}, ties(SignElection.TOTAL, false, new float[] {2, 0.5f}, p1, p2));
        // mergekit: weighted election, divided by the agreeing weights.
        assertValues(new float[] {0, -1.3f, 1.8f, 0, -2.0f, -1.5f}, ties(SignElection.WEIGHTED, true, new float[] {2, 0.5f}, p1, p2));
        assertValues(new float[] {0, 1.2f, 1.2f, 0, -2.0f, -1.5f}, ties(SignElection.WEIGHTED, true, new float[] {0.5f, 2}, p1, p2));
    }

    /** Host definition of exact top-k by |x| with ties to lower indices. */
    private static float[] pruneReference(float[] x, int k) {
        Integer[] order = IntStream.range(0, x.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -Math.abs(x[i])).thenComparingInt(i -> i));
        float[] out = new float[x.length];
        for (int r = 0; r < k; r++) out[order[r]] = x[order[r]];
        return out;
    }

    @Test
    void pruneMatchesTheHostDefinitionAcrossManyChunksWithHeavyTies() {
        int n = 100_003;
        try (Arena arena = Arena.ofConfined()) {
            float[] x = FloatSegments.toArray(random(arena, n, 31), 0, n);
            for (int i = 0; i < n; i++) x[i] = Math.round(x[i] * 8) / 8f; // 17 magnitudes: thousands of ties
            for (int k : new int[] {1, 999, 50_000, 77_777, n - 1}) {
                assertArrayEquals(pruneReference(x, k), prune(x, k), "k=" + k);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(SignElection.class)
    void electionAndMergeMatchTheHostDefinition(SignElection mode) {
        int count = 5, n = 4099;
        float[] weights = {0.7f, -0.2f, 1.3f, 0.5f, 0.25f};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stack = random(arena, (long) count * n, 32);
            for (long i = 0; i < (long) count * n; i += 3) FloatSegments.set(stack, i, 0f); // pruned entries
            float[][] p = new float[count][];
            for (int t = 0; t < count; t++) p[t] = FloatSegments.toArray(stack, (long) t * n, n);
            MemorySegment sign = FloatSegments.allocate(arena, n);
            merge.electSign(mode, count, n, stack, weights, sign);
            for (boolean normalize : new boolean[] {false, true}) {
                MemorySegment out = FloatSegments.allocate(arena, n), expected = FloatSegments.allocate(arena, n);
                merge.tiesMerge(mode, normalize, count, n, stack, weights, out);
                for (int i = 0; i < n; i++) {
                    double total = 0;
                    for (int t = 0; t < count; t++) {
                        total += switch (mode) {
                            case TOTAL -> p[t][i];
                            case FREQUENCY -> Math.signum(p[t][i]);
                            case WEIGHTED -> (double) weights[t] * p[t][i];
                        };
                    }
                    float majority = total >= 0 ? 1f : -1f;
                    assertEquals(majority, FloatSegments.get(sign, i), "sign of entry " + i);
                    double sum = 0, divisor = 0;
                    for (int t = 0; t < count; t++) {
                        if (p[t][i] != 0 && Math.signum(p[t][i]) == majority) {
                            sum += (double) weights[t] * p[t][i];
                            divisor += normalize ? weights[t] : 1;
                        }
                    }
                    float value = normalize ? (divisor != 0 ? (float) (sum / divisor) : 0f) : (float) (sum / Math.max(divisor, 1));
                    FloatSegments.set(expected, i, value);
                }
                assertClose(mode + (normalize ? " normalised" : ""), expected, out, 0, n, 1e-7, 1e-6);
            }
        }
    }

    @Test
    void dareMasksAreTheCpuCounterRandomBitForBit() {
        int n = 10_001;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = FloatSegments.allocate(arena, n);
            for (long stream : new long[] {0L, 5L}) {
                for (int adapter : new int[] {0, 3}) {
                    for (long seed : new long[] {0L, 42L, 0x1234_5678_9abcL}) {
                        merge.dareMask(n, seed, stream, adapter, 0.3, mask);
                        for (int i = 0; i < n; i++) {
                            assertEquals(CounterRandom.keeps(seed, stream, adapter, i, 0.3) ? 1f : 0f,
                                    FloatSegments.get(mask, i),
                                    "seed " + seed + " stream " + stream + " adapter " + adapter + " element " + i);
                        }
                    }
                }
            }
            MemorySegment x = random(arena, n, 33), out = FloatSegments.allocate(arena, n);
            merge.dareApply(n, 42L, 2L, 1, 0.25, 4f, x, out);
            for (int i = 0; i < n; i++) {
                float expected = CounterRandom.keeps(42L, 2L, 1, i, 0.25) ? FloatSegments.get(x, i) * 4f : 0f;
                assertEquals(expected, FloatSegments.get(out, i), "dareApply element " + i);
            }
        }
    }
}
