package amalgam.kernels.cpu;

import amalgam.kernels.FloatSegments;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * The set of the k entries of largest |t|, ties broken by lower index, found without sorting:
 * {@link AbsRadixSelect} gives the threshold τ (the k-th largest |t|); every entry above τ is in, and of the
 * entries equal to τ only the first {@code k − #(|t| > τ)} in index order are. Per-chunk counts of entries equal to τ let
 * every chunk decide membership on its own, so the final sweep is parallel.
 *
 * <p>Vector loops ask {@link #above} and {@link #undecided} a vector at a time and walk a {@link Cursor} only
 * over the rare vectors holding an entry equal to τ (or NaN), whose membership depends on index order.
 */
final class TopMagnitude {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private final long k;
    private final long n;
    private final float threshold;
    private final long equalQuota;
    private final long[] equalBeforeChunk;

    private TopMagnitude(long k, long n, float threshold, long equalQuota, long[] equalBeforeChunk) {
        this.k = k;
        this.n = n;
        this.threshold = threshold;
        this.equalQuota = equalQuota;
        this.equalBeforeChunk = equalBeforeChunk;
    }

    /** The k largest-magnitude entries of the n floats of t; 0 ≤ k, and k ≥ n selects everything. */
    static TopMagnitude of(VectorMergeSweeps sweeps, long n, MemorySegment t, long k) {
        if (k <= 0 || k >= n) return new TopMagnitude(k, n, Float.NaN, 0, null);
        float tau = sweeps.kthLargestAbs(n, k, t);
        int chunks = VectorMergeSweeps.chunkCount(n);
        long[] greater = new long[chunks];
        long[] equal = new long[chunks];
        sweeps.forEachChunk(n, (c, from, to) -> {
            long g = 0, e = 0;
            long i = from;
            if (!Float.isNaN(tau)) {
                for (; i + SPECIES.length() <= to; i += SPECIES.length()) {
                    FloatVector abs = FloatVector.fromMemorySegment(SPECIES, t, i * Float.BYTES, ORDER).abs();
                    // Float.compare puts NaN above every number: NaN lanes count as greater.
                    g += abs.compare(VectorOperators.GT, tau).trueCount()
                            + abs.test(VectorOperators.IS_NAN).trueCount();
                    e += abs.compare(VectorOperators.EQ, tau).trueCount();
                }
            }
            for (; i < to; i++) {
                int cmp = Float.compare(Math.abs(FloatSegments.get(t, i)), tau);
                if (cmp > 0) g++;
                else if (cmp == 0) e++;
            }
            greater[c] = g;
            equal[c] = e;
        });
        long totalGreater = 0;
        long[] equalBefore = new long[chunks];
        long running = 0;
        for (int c = 0; c < chunks; c++) {
            totalGreater += greater[c];
            equalBefore[c] = running;
            running += equal[c];
        }
        return new TopMagnitude(k, n, tau, k - totalGreater, equalBefore);
    }

    /** Walks one chunk in index order, answering membership for consecutive indices starting at {@code from}. */
    final class Cursor {
        private long equalSeen;

        Cursor(int chunk) {
            equalSeen = equalBeforeChunk == null ? 0 : equalBeforeChunk[chunk];
        }

        /** Membership of the next index, whose value is {@code value}; call once per index, in order. */
        boolean next(float value) {
            if (k <= 0) return false;
            if (k >= n) return true;
            int cmp = Float.compare(Math.abs(value), threshold);
            if (cmp > 0) return true;
            if (cmp < 0) return false;
            return equalSeen++ < equalQuota;
        }
    }

    /** Whether {@link #above} and {@link #undecided} apply: τ is a number, or the selection is all or nothing. */
    boolean vectorisable() {
        return k <= 0 || k >= n || !Float.isNaN(threshold);
    }

    /** Lanes of |t| that are certainly in the set; meaningful where {@link #undecided} is false. */
    VectorMask<Float> above(FloatVector abs) {
        if (k <= 0) return SPECIES.maskAll(false);
        if (k >= n) return SPECIES.maskAll(true);
        return abs.compare(VectorOperators.GT, threshold);
    }

    /** Lanes whose membership needs the cursor: |t| equal to τ, or NaN. */
    VectorMask<Float> undecided(FloatVector abs) {
        if (k <= 0 || k >= n) return SPECIES.maskAll(false);
        return abs.compare(VectorOperators.EQ, threshold).or(abs.test(VectorOperators.IS_NAN));
    }

    Cursor cursor(int chunk) {
        return new Cursor(chunk);
    }
}
