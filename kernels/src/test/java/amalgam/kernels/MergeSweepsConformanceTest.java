package amalgam.kernels;

import amalgam.kernels.scalar.ScalarBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The {@link MergeSweeps} contract: every implementation gives the reference's bits exactly, NaN payloads aside
 * (both compute the same comparisons and the same double arithmetic in the same order), on sizes that hit
 * scalar tails, one vector plus a tail, several chunks and the parallel paths (n = 1, 7, 33, 257, 2^15 + 3,
 * 3·2^16 + 5), on data with heavy ties, zeros of both signs, NaN and infinities, for every election, divisor and vote weighting,
 * and with out aliasing an input.
 *
 * <p>To test an implementation, extend this class and implement {@link #sweeps()}.
 */
public abstract class MergeSweepsConformanceTest {

    /** The implementation under test. */
    protected abstract MergeSweeps sweeps();

    protected static final long[] SIZES = {1, 7, 33, 257, (1 << 15) + 3, 3 * (1 << 16) + 5};
    private static final float[] SPECIALS = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f};

    private final MergeSweeps reference = new ScalarBackend();
    private final Arena arena = Arena.ofShared(); // shared: worker threads touch these segments
    private final SplittableRandom random = new SplittableRandom(20261125);

    @AfterEach
    void closeArena() {
        arena.close();
    }

    /** How the values of a test tensor are drawn. */
    private enum Data {
        /** Continuous values: ties only by accident. */
        GAUSSIAN,
        /** Values from {±0.5, ±1}: nearly every threshold falls inside a run of ties. */
        TIED,
        /** Pruned-looking: mostly ±0, the rest tied or Gaussian, with NaN and ±∞ sprinkled in. */
        SPECIAL
    }

    private MemorySegment tensor(Data data, long n) {
        MemorySegment t = FloatSegments.allocate(arena, n);
        for (long i = 0; i < n; i++) FloatSegments.set(t, i, value(data));
        return t;
    }

    private float value(Data data) {
        return switch (data) {
            case GAUSSIAN -> (float) random.nextGaussian();
            case TIED -> (random.nextBoolean() ? 0.5f : 1f) * (random.nextBoolean() ? 1 : -1);
            case SPECIAL -> {
                int kind = random.nextInt(40);
                if (kind < 2) yield SPECIALS[random.nextInt(3)];
                if (kind < 20) yield random.nextBoolean() ? 0f : -0f;
                yield kind < 30 ? value(Data.TIED) : value(Data.GAUSSIAN);
            }
        };
    }

    private MemorySegment copy(MemorySegment t) {
        MemorySegment c = arena.allocate(t.byteSize(), FloatSegments.ALIGNMENT);
        c.copyFrom(t);
        return c;
    }

    /**
     * The same bits, −0 and +0 told apart, except that any NaN matches any NaN: which NaN an invalid operation
     * or a sum of NaNs gives depends on operand order, which neither Java nor C fixes (the JIT may swap the
     * operands of an addition), so no implementation can promise NaN payloads or signs.
     */
    private static void assertSameBits(MemorySegment expected, MemorySegment actual, long n, String what) {
        for (long i = 0; i < n; i++) {
            int e = Float.floatToIntBits(FloatSegments.get(expected, i));
            int a = Float.floatToIntBits(FloatSegments.get(actual, i));
            if (e != a) {
                assertEquals(e, a, what + ", entry " + i + ": " + FloatSegments.get(expected, i) + " expected, "
                        + FloatSegments.get(actual, i) + " actual");
            }
        }
    }

    // ---- magnitude rank window ----------------------------------------------------------------------------

    /** [0, 0), tops [0, k) with k on and around the edges, and windows [g, g + k) as breadcrumbs uses. */
    private static List<long[]> windows(long n) {
        List<long[]> all = new ArrayList<>();
        for (long k : new long[] {0, 1, n / 5, n / 2, n - 1, n, n + 3}) {
            if (k >= 0) all.add(new long[] {0, k});
        }
        long g = n / 10;
        all.add(new long[] {g, g + n / 5});
        all.add(new long[] {g, g + n / 2});
        all.add(new long[] {1, n});
        all.add(new long[] {n / 2, n / 2});
        all.add(new long[] {n - 1, n + 5});
        all.add(new long[] {n, n + 1});
        return all;
    }

    @Test
    void keepMagnitudeRanksGivesTheReferenceBits() {
        for (long n : SIZES) {
            for (Data data : Data.values()) {
                MemorySegment x = tensor(data, n);
                for (long[] w : windows(n)) {
                    MemorySegment expected = FloatSegments.allocate(arena, n);
                    MemorySegment actual = FloatSegments.allocate(arena, n);
                    reference.keepMagnitudeRanks(n, x, w[0], w[1], expected);
                    sweeps().keepMagnitudeRanks(n, x, w[0], w[1], actual);
                    assertSameBits(expected, actual, n,
                            "n=" + n + " " + data + " window [" + w[0] + ", " + w[1] + ")");
                }
            }
        }
    }

    @Test
    void keepMagnitudeRanksMayWriteOverItsInput() {
        for (long n : new long[] {33, (1 << 15) + 3, 3 * (1 << 16) + 5}) {
            for (Data data : Data.values()) {
                MemorySegment x = tensor(data, n);
                MemorySegment expected = FloatSegments.allocate(arena, n);
                reference.keepMagnitudeRanks(n, x, n / 10, n / 10 + n / 5, expected);
                sweeps().keepMagnitudeRanks(n, x, n / 10, n / 10 + n / 5, x);
                assertSameBits(expected, x, n, "n=" + n + " " + data + " in place");
            }
        }
    }

    @Test
    void keepMagnitudeRanksOfEmptyInputWritesNothing() {
        MemorySegment x = tensor(Data.GAUSSIAN, 4), before = copy(x);
        sweeps().keepMagnitudeRanks(0, x, 0, 3, x);
        assertEquals(-1, before.mismatch(x), "an empty sweep wrote to its output");
    }

    @Test
    void keepMagnitudeRanksRejectsAnInvertedWindow() {
        MemorySegment x = tensor(Data.GAUSSIAN, 8);
        assertThrows(IllegalArgumentException.class, () -> sweeps().keepMagnitudeRanks(8, x, 3, 2, x));
        assertThrows(IllegalArgumentException.class, () -> sweeps().keepMagnitudeRanks(8, x, -1, 2, x));
    }

    // ---- elected mean ------------------------------------------------------------------------------------

    /** Every election × divisor × vote weighting, with λ = 1 and λ = 0.7. */
    protected static List<ElectedMean> everyMean() {
        List<ElectedMean> all = new ArrayList<>();
        for (ElectedMean.Election election : ElectedMean.Election.values()) {
            for (ElectedMean.Divisor divisor : ElectedMean.Divisor.values()) {
                all.add(new ElectedMean(election, false, divisor, 1));
                all.add(new ElectedMean(election, true, divisor, 0.7));
            }
        }
        return all;
    }

    /** Negative, tiny and cancelling weights (the last three sum to ~0: the 1e-8 guard of AGREEING_WEIGHT). */
    private static final double[][] WEIGHTS = {
            {1, 1, 1, 1, 1},
            {1, 0.5, -0.3, 2, 1e-9},
            {0.4, -1.5, 0.75, -0.75, 1e-9}
    };

    private MemorySegment[] tensors(Data data, int count, long n) {
        MemorySegment[] tensors = new MemorySegment[count];
        for (int i = 0; i < count; i++) tensors[i] = tensor(data, n);
        return tensors;
    }

    @Test
    void electedMeanGivesTheReferenceBits() {
        for (long n : SIZES) {
            // Past a few chunks the sizes only add the parallel paths: the mixed data alone covers them.
            for (Data data : n < (1 << 15) ? Data.values() : new Data[] {Data.SPECIAL}) {
                MemorySegment[] tensors = tensors(data, 5, n);
                for (double[] weights : WEIGHTS) {
                    for (ElectedMean mean : everyMean()) {
                        MemorySegment expected = FloatSegments.allocate(arena, n);
                        MemorySegment actual = FloatSegments.allocate(arena, n);
                        reference.electedMean(mean, n, tensors, weights, expected);
                        sweeps().electedMean(mean, n, tensors, weights, actual);
                        assertSameBits(expected, actual, n, "n=" + n + " " + data + " " + mean
                                + " weights " + java.util.Arrays.toString(weights));
                    }
                }
            }
        }
    }

    @Test
    void electedMeanOfOneTensor() {
        for (long n : new long[] {7, 257}) {
            MemorySegment[] one = tensors(Data.SPECIAL, 1, n);
            for (ElectedMean mean : everyMean()) {
                MemorySegment expected = FloatSegments.allocate(arena, n);
                MemorySegment actual = FloatSegments.allocate(arena, n);
                reference.electedMean(mean, n, one, new double[] {-0.5}, expected);
                sweeps().electedMean(mean, n, one, new double[] {-0.5}, actual);
                assertSameBits(expected, actual, n, "n=" + n + " " + mean);
            }
        }
    }

    /**
     * Every size from 1 to 40: an implementation that takes up to 16 entries per step (the C code's two groups
     * of eight lanes) leaves every tail length from 0 to 15 to its scalar loop. A -0 weight rides along.
     */
    @Test
    void electedMeanFinishesEveryTailLength() {
        double[] weights = {0.4, -0.0, 0.75, -0.75, 1e-9};
        for (long n = 1; n <= 40; n++) {
            MemorySegment[] tensors = tensors(Data.SPECIAL, 5, n);
            for (ElectedMean mean : everyMean()) {
                MemorySegment expected = FloatSegments.allocate(arena, n);
                MemorySegment actual = FloatSegments.allocate(arena, n);
                reference.electedMean(mean, n, tensors, weights, expected);
                sweeps().electedMean(mean, n, tensors, weights, actual);
                assertSameBits(expected, actual, n, "n=" + n + " " + mean);
            }
        }
    }

    @Test
    void electedMeanMayWriteOverAnyOfItsInputs() {
        ElectedMean ties = new ElectedMean(ElectedMean.Election.TOTAL, false, ElectedMean.Divisor.AGREEING_COUNT, 1);
        for (long n : new long[] {7, 257, 3 * (1 << 16) + 5}) {
            for (int target : new int[] {0, 4}) {
                MemorySegment[] tensors = tensors(Data.SPECIAL, 5, n);
                MemorySegment expected = FloatSegments.allocate(arena, n);
                reference.electedMean(ties, n, tensors, WEIGHTS[1], expected);
                sweeps().electedMean(ties, n, tensors, WEIGHTS[1], tensors[target]);
                assertSameBits(expected, tensors[target], n, "n=" + n + " into tensor " + target);
            }
        }
    }

    @Test
    void electedMeanRejectsMismatchedWeights() {
        MemorySegment[] tensors = tensors(Data.GAUSSIAN, 2, 4);
        ElectedMean linear = new ElectedMean(ElectedMean.Election.NONE, false, ElectedMean.Divisor.ONE, 1);
        assertThrows(IllegalArgumentException.class,
                () -> sweeps().electedMean(linear, 4, tensors, new double[] {1}, tensors[0]));
        assertThrows(IllegalArgumentException.class,
                () -> sweeps().electedMean(linear, 4, new MemorySegment[0], new double[0], tensors[0]));
    }
}
