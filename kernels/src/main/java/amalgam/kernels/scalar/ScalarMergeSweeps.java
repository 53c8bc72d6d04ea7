package amalgam.kernels.scalar;

import amalgam.kernels.ElectedMean;
import amalgam.kernels.FloatSegments;
import amalgam.kernels.MergeSweeps;

import java.lang.foreign.MemorySegment;

/**
 * The reference {@link MergeSweeps}: one entry at a time, in index order, on one thread. The fast
 * implementations compute exactly this double-precision arithmetic in the same order, so they agree bit for bit.
 * {@link ScalarBackend} is the way in; the static tail loop is public for the vector implementation.
 */
public final class ScalarMergeSweeps implements MergeSweeps {

    /** The fp32 reference backend, for its k-th largest magnitude. */
    private final ScalarBackend selection;

    ScalarMergeSweeps(ScalarBackend selection) {
        this.selection = selection;
    }

    @Override
    public void keepMagnitudeRanks(long n, MemorySegment x, long fromRank, long toRank, MemorySegment out) {
        MergeSweeps.checkRanks(fromRank, toRank);
        RankCursor upTo = cursor(n, x, toRank);
        RankCursor before = cursor(n, x, fromRank);
        for (long i = 0; i < n; i++) {
            float v = FloatSegments.get(x, i);
            // Both cursors must see every index: no short-circuit.
            boolean kept = upTo.next(v) & !before.next(v);
            FloatSegments.set(out, i, kept ? v : 0f);
        }
    }

    /** Membership in the k largest magnitudes, answered index by index: call once per index, in order. */
    @FunctionalInterface
    private interface RankCursor {
        boolean next(float value);
    }

    private RankCursor cursor(long n, MemorySegment x, long k) {
        if (k <= 0) return value -> false;
        if (k >= n) return value -> true;
        float tau = selection.kthLargestAbs(n, k, x, 0);
        long greater = 0;
        for (long i = 0; i < n; i++) if (Float.compare(Math.abs(FloatSegments.get(x, i)), tau) > 0) greater++;
        return new ThresholdCursor(tau, k - greater);
    }

    /** Entries above τ are in; of the entries equal to τ, the first {@code equalQuota} in index order are. */
    private static final class ThresholdCursor implements RankCursor {
        private final float threshold;
        private final long equalQuota;
        private long equalSeen;

        ThresholdCursor(float threshold, long equalQuota) {
            this.threshold = threshold;
            this.equalQuota = equalQuota;
        }

        @Override
        public boolean next(float value) {
            int cmp = Float.compare(Math.abs(value), threshold);
            if (cmp != 0) return cmp > 0;
            return equalSeen++ < equalQuota;
        }
    }

    @Override
    public void electedMean(ElectedMean mean, long n, MemorySegment[] tensors, double[] weights, MemorySegment out) {
        MergeSweeps.checkTensors(tensors, weights);
        electedMean(mean, tensors, weights, 0, n, out);
    }

    /**
     * Entries [from, to) only: the vector implementation finishes its tails with this loop. out may be one of
     * the tensors (each entry is read before it is written).
     */
    public static void electedMean(ElectedMean mean, MemorySegment[] tensors, double[] weights, long from, long to,
                                   MemorySegment out) {
        int count = tensors.length;
        boolean elect = mean.election() != ElectedMean.Election.NONE;
        boolean frequency = mean.election() == ElectedMean.Election.FREQUENCY;
        double[] voter = new double[count];
        for (long e = from; e < to; e++) {
            double votes = 0;
            for (int i = 0; i < count; i++) {
                double p = FloatSegments.get(tensors[i], e);
                voter[i] = mean.weightedVotes() ? weights[i] * p : p;
                votes += frequency ? Math.signum(voter[i]) : voter[i];
            }
            double majority = votes >= 0 ? 1 : -1;
            double sum = 0, agreeingWeight = 0;
            int agreeing = 0;
            for (int i = 0; i < count; i++) {
                // Zeros have sign 0 and never match the elected sign.
                if (elect && Math.signum(voter[i]) != majority) continue;
                sum += weights[i] * FloatSegments.get(tensors[i], e);
                agreeingWeight += weights[i];
                agreeing++;
            }
            FloatSegments.set(out, e, (float) (mean.lambda() * sum / mean.divisorFor(agreeing, agreeingWeight)));
        }
    }
}
