package amalgam.merge.algorithms;

import amalgam.kernels.FloatSegments;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static amalgam.merge.algorithms.Fixtures.ARENA;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The vectorised election and disjoint mean equal the scalar loop bit for bit, for every configuration. */
class ElectedMeanTest {

    private static final int ADAPTERS = 5;

    /** Every combination the merges use, PEFT and mergekit, with and without an election. */
    private static List<ElectedMean> configurations() {
        List<ElectedMean> all = new ArrayList<>();
        for (MajoritySign election : new MajoritySign[] {null, MajoritySign.TOTAL, MajoritySign.FREQUENCY}) {
            for (ElectedMean.Divisor divisor : ElectedMean.Divisor.values()) {
                all.add(new ElectedMean(election, false, divisor, 1));
                all.add(new ElectedMean(election, true, divisor, 0.7));
            }
        }
        return all;
    }

    /** Random values with many exact zeros (pruned entries), some ties in sign, and a few non-finite ones. */
    private static MemorySegment[] tensors(Random random, int n, boolean nonFinite) {
        MemorySegment[] tensors = new MemorySegment[ADAPTERS];
        for (int i = 0; i < ADAPTERS; i++) {
            float[] t = new float[n];
            for (int e = 0; e < n; e++) {
                int kind = random.nextInt(10);
                t[e] = kind < 4 ? 0f : kind == 4 ? -0f : (float) random.nextGaussian();
                if (nonFinite && random.nextInt(50) == 0) {
                    t[e] = new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}[random.nextInt(3)];
                }
            }
            tensors[i] = FloatSegments.of(ARENA, t);
        }
        return tensors;
    }

    private static void assertSameBits(MemorySegment expected, MemorySegment actual, int n, String what) {
        for (int e = 0; e < n; e++) {
            assertEquals(Float.floatToRawIntBits(FloatSegments.get(expected, e)),
                    Float.floatToRawIntBits(FloatSegments.get(actual, e)), what + " element " + e);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33, 257, 1031})
    void vectorLoopEqualsScalarLoop(int n) {
        Random random = new Random(n);
        double[] weights = {1, 0.5, -0.3, 2, 1e-9};
        for (boolean nonFinite : new boolean[] {false, true}) {
            MemorySegment[] tensors = tensors(random, n, nonFinite);
            for (ElectedMean mean : configurations()) {
                MemorySegment scalar = FloatSegments.allocate(ARENA, n);
                MemorySegment vector = FloatSegments.allocate(ARENA, n);
                mean.scalar(tensors, weights, 0, n, scalar);
                mean.vector(tensors, weights, 0, n, vector);
                assertSameBits(scalar, vector, n, mean + " nonFinite=" + nonFinite);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {7, 257})
    void vectorLoopMayWriteOverItsFirstInputAndStartMidway(int n) {
        Random random = new Random(3);
        double[] weights = {1, 1, 1, 1, 1};
        MemorySegment[] tensors = tensors(random, n, false);
        ElectedMean ties = new ElectedMean(MajoritySign.TOTAL, false, ElectedMean.Divisor.AGREEING_COUNT, 1);
        MemorySegment expected = FloatSegments.allocate(ARENA, n);
        ties.scalar(tensors, weights, 0, n, expected);
        // Two ranges, the second not starting on a vector boundary, writing over tensor 0.
        ties.vector(tensors, weights, 0, 3, tensors[0]);
        ties.vector(tensors, weights, 3, n, tensors[0]);
        assertSameBits(expected, tensors[0], n, "in place");
    }
}
