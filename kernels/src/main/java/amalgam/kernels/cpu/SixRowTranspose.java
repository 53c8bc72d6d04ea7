package amalgam.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Packs six rows of a plain (untransposed) A into a six-row sliver, six values per step of k, by 8×8
 * transposes of 256-bit vectors: six row loads and two zero rows, three stages of rearrange-and-blend (as in
 * {@link BlockTranspose}), eight stores. Each store but the last writes two lanes past its six, into the slots the
 * next store then overwrites; the last is masked, so nothing is written outside the block. Element by element,
 * six row streams cost 0.6–0.9 ns a float (Zen 5, AVX-512), the largest packing cost left in a forward pass.
 *
 * <p>Only where 256-bit vectors are native ({@link #AVAILABLE}): with 128-bit vectors they would be emulated.
 */
final class SixRowTranspose {

    static final boolean AVAILABLE = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
    /** Steps of k per block. */
    static final int STEPS = 8;

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final VectorShuffle<Float> UP1 = BlockTranspose.rotation(S, -1);
    private static final VectorShuffle<Float> DOWN1 = BlockTranspose.rotation(S, 1);
    private static final VectorShuffle<Float> UP2 = BlockTranspose.rotation(S, -2);
    private static final VectorShuffle<Float> DOWN2 = BlockTranspose.rotation(S, 2);
    private static final VectorShuffle<Float> UP4 = BlockTranspose.rotation(S, -4);
    private static final VectorShuffle<Float> DOWN4 = BlockTranspose.rotation(S, 4);
    private static final VectorMask<Float> HIGH1 = BlockTranspose.lanesWithBit(S, 1);
    private static final VectorMask<Float> HIGH2 = BlockTranspose.lanesWithBit(S, 2);
    private static final VectorMask<Float> HIGH4 = BlockTranspose.lanesWithBit(S, 4);
    private static final VectorMask<Float> FIRST_SIX = S.indexInRange(0, 6);

    private SixRowTranspose() {}

    /**
     * Packs steps [0, steps), a multiple of {@link #STEPS}, of the six rows from byte {@code at} ({@code rowBytes}
     * apart) into {@code dst} from {@code base}: step p's six values at {@code base + 6p}.
     */
    static void pack(MemorySegment a, long at, long rowBytes, int steps, float[] dst, int base) {
        for (int p = 0; p < steps; p += STEPS) block(a, at + (long) p * Float.BYTES, rowBytes, dst, base + 6 * p);
    }

    private static void block(MemorySegment a, long at, long rowBytes, float[] dst, int to) {
        FloatVector lo, hi;
        FloatVector v0 = FloatVector.fromMemorySegment(S, a, at, ORDER);
        FloatVector v1 = FloatVector.fromMemorySegment(S, a, at + rowBytes, ORDER);
        FloatVector v2 = FloatVector.fromMemorySegment(S, a, at + 2 * rowBytes, ORDER);
        FloatVector v3 = FloatVector.fromMemorySegment(S, a, at + 3 * rowBytes, ORDER);
        FloatVector v4 = FloatVector.fromMemorySegment(S, a, at + 4 * rowBytes, ORDER);
        FloatVector v5 = FloatVector.fromMemorySegment(S, a, at + 5 * rowBytes, ORDER);
        FloatVector v6 = FloatVector.zero(S);
        FloatVector v7 = FloatVector.zero(S);
        // Stage 0: swap single lanes between rows 1 apart (rows 6 and 7 are both zero: nothing to swap).
        lo = v0;
        hi = v1;
        v0 = lo.blend(hi.rearrange(UP1), HIGH1);
        v1 = lo.rearrange(DOWN1).blend(hi, HIGH1);
        lo = v2;
        hi = v3;
        v2 = lo.blend(hi.rearrange(UP1), HIGH1);
        v3 = lo.rearrange(DOWN1).blend(hi, HIGH1);
        lo = v4;
        hi = v5;
        v4 = lo.blend(hi.rearrange(UP1), HIGH1);
        v5 = lo.rearrange(DOWN1).blend(hi, HIGH1);
        // Stage 1: swap 2-lane blocks between rows 2 apart.
        lo = v0;
        hi = v2;
        v0 = lo.blend(hi.rearrange(UP2), HIGH2);
        v2 = lo.rearrange(DOWN2).blend(hi, HIGH2);
        lo = v1;
        hi = v3;
        v1 = lo.blend(hi.rearrange(UP2), HIGH2);
        v3 = lo.rearrange(DOWN2).blend(hi, HIGH2);
        lo = v4;
        hi = v6;
        v4 = lo.blend(hi.rearrange(UP2), HIGH2);
        v6 = lo.rearrange(DOWN2).blend(hi, HIGH2);
        lo = v5;
        hi = v7;
        v5 = lo.blend(hi.rearrange(UP2), HIGH2);
        v7 = lo.rearrange(DOWN2).blend(hi, HIGH2);
        // Stage 2: swap 4-lane halves between rows 4 apart.
        lo = v0;
        hi = v4;
        v0 = lo.blend(hi.rearrange(UP4), HIGH4);
        v4 = lo.rearrange(DOWN4).blend(hi, HIGH4);
        lo = v1;
        hi = v5;
        v1 = lo.blend(hi.rearrange(UP4), HIGH4);
        v5 = lo.rearrange(DOWN4).blend(hi, HIGH4);
        lo = v2;
        hi = v6;
        v2 = lo.blend(hi.rearrange(UP4), HIGH4);
        v6 = lo.rearrange(DOWN4).blend(hi, HIGH4);
        lo = v3;
        hi = v7;
        v3 = lo.blend(hi.rearrange(UP4), HIGH4);
        v7 = lo.rearrange(DOWN4).blend(hi, HIGH4);
        // Vector q now holds the six rows' values at step q in lanes 0-5. Ascending order: each store's two extra
        // lanes land where the next store writes.
        v0.intoArray(dst, to);
        v1.intoArray(dst, to + 6);
        v2.intoArray(dst, to + 12);
        v3.intoArray(dst, to + 18);
        v4.intoArray(dst, to + 24);
        v5.intoArray(dst, to + 30);
        v6.intoArray(dst, to + 36);
        v7.intoArray(dst, to + 42, FIRST_SIX);
    }
}
