package amalgam.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static amalgam.kernels.cpu.MicroKernel.LANES;
import static amalgam.kernels.cpu.MicroKernel.NR;
import static amalgam.kernels.cpu.MicroKernel.SPECIES;

/**
 * Packs a sliver of a transposed B (NR stored rows, each a run of k) into the micro-kernel's layout (NR values
 * per step of k) by LANES×LANES transposes in registers: LANES row loads, log2(LANES) stages of
 * rearrange-and-blend, LANES stores. Element by element, the same packing cost 0.5 ns a float from L3 and
 * 2.1–2.6 ns from memory (Zen 5, AVX-512); this runs at 0.15 and 0.7–1.2, close to the untransposed copy.
 * {@code x·Wᵀ}, every Linear layer, packs its weight this way on every call.
 *
 * <p>Each stage pairs rows 2^s apart: the lower row keeps its lanes whose bit s is clear and takes the upper
 * row's lanes shifted up by 2^s for the rest; the upper row takes the lower row's lanes shifted down and keeps its
 * own. Each vector lives in a named local and each step is written out in place: vectors kept in an array, or
 * passed to helpers C2 gave up inlining in these long methods, were boxed and ran 10× slower than the scalar
 * loop. Hence one method per vector length the hardware has (4, 8 and 16 floats).
 */
final class BlockTranspose {

    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final int STAGES = Integer.numberOfTrailingZeros(LANES);
    /** Stage s moves 2^s-lane blocks: UP shifts lanes up by 2^s, DOWN down, HIGH marks the upper block of each pair. */
    private static final VectorShuffle<Float>[] UP = shuffles(-1);
    private static final VectorShuffle<Float>[] DOWN = shuffles(+1);
    private static final VectorMask<Float>[] HIGH = highHalves();

    private BlockTranspose() {}

    /** Whether this vector length has a transpose here; others take the element-wise path. */
    static boolean available() {
        return LANES == 4 || LANES == 8 || LANES == 16;
    }

    /**
     * Packs steps [0, steps) of k, steps a multiple of LANES, of the NR stored rows from byte {@code at}
     * ({@code rowBytes} apart) into {@code dst} from {@code base}: step p's NR values at {@code base + p·NR}.
     */
    static void packSliver(MemorySegment b, long at, long rowBytes, int steps, float[] dst, int base) {
        for (int jv = 0; jv < NR; jv += LANES) {
            long rows = at + jv * rowBytes;
            for (int p = 0; p < steps; p += LANES) {
                long from = rows + (long) p * Float.BYTES;
                int to = base + p * NR + jv;
                switch (LANES) {
                    case 16 -> transpose16(b, from, rowBytes, dst, to);
                    case 8 -> transpose8(b, from, rowBytes, dst, to);
                    default -> transpose4(b, from, rowBytes, dst, to);
                }
            }
        }
    }

    /** 4×4: rows {@code at + r·rowBytes}, r < 4, become the 4 runs {@code dst[to + q·NR …]}. */
    private static void transpose4(MemorySegment b, long at, long rowBytes, float[] dst, int to) {
        FloatVector lo, hi;
        FloatVector v0 = FloatVector.fromMemorySegment(SPECIES, b, at + 0 * rowBytes, ORDER);
        FloatVector v1 = FloatVector.fromMemorySegment(SPECIES, b, at + 1 * rowBytes, ORDER);
        FloatVector v2 = FloatVector.fromMemorySegment(SPECIES, b, at + 2 * rowBytes, ORDER);
        FloatVector v3 = FloatVector.fromMemorySegment(SPECIES, b, at + 3 * rowBytes, ORDER);
        // Stage 0: swap 1-lane blocks between rows 1 apart.
        lo = v0;
        hi = v1;
        v0 = lo.blend(hi.rearrange(UP[0]), HIGH[0]);
        v1 = lo.rearrange(DOWN[0]).blend(hi, HIGH[0]);
        lo = v2;
        hi = v3;
        v2 = lo.blend(hi.rearrange(UP[0]), HIGH[0]);
        v3 = lo.rearrange(DOWN[0]).blend(hi, HIGH[0]);
        // Stage 1: swap 2-lane blocks between rows 2 apart.
        lo = v0;
        hi = v2;
        v0 = lo.blend(hi.rearrange(UP[1]), HIGH[1]);
        v2 = lo.rearrange(DOWN[1]).blend(hi, HIGH[1]);
        lo = v1;
        hi = v3;
        v1 = lo.blend(hi.rearrange(UP[1]), HIGH[1]);
        v3 = lo.rearrange(DOWN[1]).blend(hi, HIGH[1]);
        v0.intoArray(dst, to + 0 * NR);
        v1.intoArray(dst, to + 1 * NR);
        v2.intoArray(dst, to + 2 * NR);
        v3.intoArray(dst, to + 3 * NR);
    }

    /** 8×8: rows {@code at + r·rowBytes}, r < 8, become the 8 runs {@code dst[to + q·NR …]}. */
    private static void transpose8(MemorySegment b, long at, long rowBytes, float[] dst, int to) {
        FloatVector lo, hi;
        FloatVector v0 = FloatVector.fromMemorySegment(SPECIES, b, at + 0 * rowBytes, ORDER);
        FloatVector v1 = FloatVector.fromMemorySegment(SPECIES, b, at + 1 * rowBytes, ORDER);
        FloatVector v2 = FloatVector.fromMemorySegment(SPECIES, b, at + 2 * rowBytes, ORDER);
        FloatVector v3 = FloatVector.fromMemorySegment(SPECIES, b, at + 3 * rowBytes, ORDER);
        FloatVector v4 = FloatVector.fromMemorySegment(SPECIES, b, at + 4 * rowBytes, ORDER);
        FloatVector v5 = FloatVector.fromMemorySegment(SPECIES, b, at + 5 * rowBytes, ORDER);
        FloatVector v6 = FloatVector.fromMemorySegment(SPECIES, b, at + 6 * rowBytes, ORDER);
        FloatVector v7 = FloatVector.fromMemorySegment(SPECIES, b, at + 7 * rowBytes, ORDER);
        // Stage 0: swap 1-lane blocks between rows 1 apart.
        lo = v0;
        hi = v1;
        v0 = lo.blend(hi.rearrange(UP[0]), HIGH[0]);
        v1 = lo.rearrange(DOWN[0]).blend(hi, HIGH[0]);
        lo = v2;
        hi = v3;
        v2 = lo.blend(hi.rearrange(UP[0]), HIGH[0]);
        v3 = lo.rearrange(DOWN[0]).blend(hi, HIGH[0]);
        lo = v4;
        hi = v5;
        v4 = lo.blend(hi.rearrange(UP[0]), HIGH[0]);
        v5 = lo.rearrange(DOWN[0]).blend(hi, HIGH[0]);
        lo = v6;
        hi = v7;
        v6 = lo.blend(hi.rearrange(UP[0]), HIGH[0]);
        v7 = lo.rearrange(DOWN[0]).blend(hi, HIGH[0]);
        // Stage 1: swap 2-lane blocks between rows 2 apart.
        lo = v0;
        hi = v2;
        v0 = lo.blend(hi.rearrange(UP[1]), HIGH[1]);
        v2 = lo.rearrange(DOWN[1]).blend(hi, HIGH[1]);
        lo = v1;
        hi = v3;
        v1 = lo.blend(hi.rearrange(UP[1]), HIGH[1]);
        v3 = lo.rearrange(DOWN[1]).blend(hi, HIGH[1]);
        lo = v4;
        hi = v6;
        v4 = lo.blend(hi.rearrange(UP[1]), HIGH[1]);
        v6 = lo.rearrange(DOWN[1]).blend(hi, HIGH[1]);
        lo = v5;
        hi = v7;
        v5 = lo.blend(hi.rearrange(UP[1]), HIGH[1]);
        v7 = lo.rearrange(DOWN[1]).blend(hi, HIGH[1]);
        // Stage 2: swap 4-lane blocks between rows 4 apart.
        lo = v0;
        hi = v4;
        v0 = lo.blend(hi.rearrange(UP[2]), HIGH[2]);
        v4 = lo.rearrange(DOWN[2]).blend(hi, HIGH[2]);
        lo = v1;
        hi = v5;
        v1 = lo.blend(hi.rearrange(UP[2]), HIGH[2]);
        v5 = lo.rearrange(DOWN[2]).blend(hi, HIGH[2]);
        lo = v2;
        hi = v6;
        v2 = lo.blend(hi.rearrange(UP[2]), HIGH[2]);
        v6 = lo.rearrange(DOWN[2]).blend(hi, HIGH[2]);
        lo = v3;
        hi = v7;
        v3 = lo.blend(hi.rearrange(UP[2]), HIGH[2]);
        v7 = lo.rearrange(DOWN[2]).blend(hi, HIGH[2]);
        v0.intoArray(dst, to + 0 * NR);
        v1.intoArray(dst, to + 1 * NR);
        v2.intoArray(dst, to + 2 * NR);
        v3.intoArray(dst, to + 3 * NR);
        v4.intoArray(dst, to + 4 * NR);
        v5.intoArray(dst, to + 5 * NR);
        v6.intoArray(dst, to + 6 * NR);
        v7.intoArray(dst, to + 7 * NR);
    }

    /** 16×16: rows {@code at + r·rowBytes}, r < 16, become the 16 runs {@code dst[to + q·NR …]}. */
    private static void transpose16(MemorySegment b, long at, long rowBytes, float[] dst, int to) {
        FloatVector lo, hi;
        FloatVector v0 = FloatVector.fromMemorySegment(SPECIES, b, at + 0 * rowBytes, ORDER);
        FloatVector v1 = FloatVector.fromMemorySegment(SPECIES, b, at + 1 * rowBytes, ORDER);
        FloatVector v2 = FloatVector.fromMemorySegment(SPECIES, b, at + 2 * rowBytes, ORDER);
        FloatVector v3 = FloatVector.fromMemorySegment(SPECIES, b, at + 3 * rowBytes, ORDER);
        FloatVector v4 = FloatVector.fromMemorySegment(SPECIES, b, at + 4 * rowBytes, ORDER);
        FloatVector v5 = FloatVector.fromMemorySegment(SPECIES, b, at + 5 * rowBytes, ORDER);
        FloatVector v6 = FloatVector.fromMemorySegment(SPECIES, b, at + 6 * rowBytes, ORDER);
        FloatVector v7 = FloatVector.fromMemorySegment(SPECIES, b, at + 7 * rowBytes, ORDER);
        FloatVector v8 = FloatVector.fromMemorySegment(SPECIES, b, at + 8 * rowBytes, ORDER);
        FloatVector v9 = FloatVector.fromMemorySegment(SPECIES, b, at + 9 * rowBytes, ORDER);
        FloatVector v10 = FloatVector.fromMemorySegment(SPECIES, b, at + 10 * rowBytes, ORDER);
        FloatVector v11 = FloatVector.fromMemorySegment(SPECIES, b, at + 11 * rowBytes, ORDER);
        FloatVector v12 = FloatVector.fromMemorySegment(SPECIES, b, at + 12 * rowBytes, ORDER);
        FloatVector v13 = FloatVector.fromMemorySegment(SPECIES, b, at + 13 * rowBytes, ORDER);
        FloatVector v14 = FloatVector.fromMemorySegment(SPECIES, b, at + 14 * rowBytes, ORDER);
        FloatVector v15 = FloatVector.fromMemorySegment(SPECIES, b, at + 15 * rowBytes, ORDER);
        // Stage 0: swap 1-lane blocks between rows 1 apart.
        lo = v0;
        hi = v1;
        v0 = lo.blend(hi.rearrange(UP[0]), HIGH[0]);
        v1 = lo.rearrange(DOWN[0]).blend(hi, HIGH[0]);
        lo = v2;
        hi = v3;
        v2 = lo.blend(hi.rearrange(UP[0]), HIGH[0]);
        v3 = lo.rearrange(DOWN[0]).blend(hi, HIGH[0]);
        lo = v4;
        hi = v5;
        v4 = lo.blend(hi.rearrange(UP[0]), HIGH[0]);
        v5 = lo.rearrange(DOWN[0]).blend(hi, HIGH[0]);
        lo = v6;
        hi = v7;
        v6 = lo.blend(hi.rearrange(UP[0]), HIGH[0]);
        v7 = lo.rearrange(DOWN[0]).blend(hi, HIGH[0]);
        lo = v8;
        hi = v9;
        v8 = lo.blend(hi.rearrange(UP[0]), HIGH[0]);
        v9 = lo.rearrange(DOWN[0]).blend(hi, HIGH[0]);
        lo = v10;
        hi = v11;
        v10 = lo.blend(hi.rearrange(UP[0]), HIGH[0]);
        v11 = lo.rearrange(DOWN[0]).blend(hi, HIGH[0]);
        lo = v12;
        hi = v13;
        v12 = lo.blend(hi.rearrange(UP[0]), HIGH[0]);
        v13 = lo.rearrange(DOWN[0]).blend(hi, HIGH[0]);
        lo = v14;
        hi = v15;
        v14 = lo.blend(hi.rearrange(UP[0]), HIGH[0]);
        v15 = lo.rearrange(DOWN[0]).blend(hi, HIGH[0]);
        // Stage 1: swap 2-lane blocks between rows 2 apart.
        lo = v0;
        hi = v2;
        v0 = lo.blend(hi.rearrange(UP[1]), HIGH[1]);
        v2 = lo.rearrange(DOWN[1]).blend(hi, HIGH[1]);
        lo = v1;
        hi = v3;
        v1 = lo.blend(hi.rearrange(UP[1]), HIGH[1]);
        v3 = lo.rearrange(DOWN[1]).blend(hi, HIGH[1]);
        lo = v4;
        hi = v6;
        v4 = lo.blend(hi.rearrange(UP[1]), HIGH[1]);
        v6 = lo.rearrange(DOWN[1]).blend(hi, HIGH[1]);
        lo = v5;
        hi = v7;
        v5 = lo.blend(hi.rearrange(UP[1]), HIGH[1]);
        v7 = lo.rearrange(DOWN[1]).blend(hi, HIGH[1]);
        lo = v8;
        hi = v10;
        v8 = lo.blend(hi.rearrange(UP[1]), HIGH[1]);
        v10 = lo.rearrange(DOWN[1]).blend(hi, HIGH[1]);
        lo = v9;
        hi = v11;
        v9 = lo.blend(hi.rearrange(UP[1]), HIGH[1]);
        v11 = lo.rearrange(DOWN[1]).blend(hi, HIGH[1]);
        lo = v12;
        hi = v14;
        v12 = lo.blend(hi.rearrange(UP[1]), HIGH[1]);
        v14 = lo.rearrange(DOWN[1]).blend(hi, HIGH[1]);
        lo = v13;
        hi = v15;
        v13 = lo.blend(hi.rearrange(UP[1]), HIGH[1]);
        v15 = lo.rearrange(DOWN[1]).blend(hi, HIGH[1]);
        // Stage 2: swap 4-lane blocks between rows 4 apart.
        lo = v0;
        hi = v4;
        v0 = lo.blend(hi.rearrange(UP[2]), HIGH[2]);
        v4 = lo.rearrange(DOWN[2]).blend(hi, HIGH[2]);
        lo = v1;
        hi = v5;
        v1 = lo.blend(hi.rearrange(UP[2]), HIGH[2]);
        v5 = lo.rearrange(DOWN[2]).blend(hi, HIGH[2]);
        lo = v2;
        hi = v6;
        v2 = lo.blend(hi.rearrange(UP[2]), HIGH[2]);
        v6 = lo.rearrange(DOWN[2]).blend(hi, HIGH[2]);
        lo = v3;
        hi = v7;
        v3 = lo.blend(hi.rearrange(UP[2]), HIGH[2]);
        v7 = lo.rearrange(DOWN[2]).blend(hi, HIGH[2]);
        lo = v8;
        hi = v12;
        v8 = lo.blend(hi.rearrange(UP[2]), HIGH[2]);
        v12 = lo.rearrange(DOWN[2]).blend(hi, HIGH[2]);
        lo = v9;
        hi = v13;
        v9 = lo.blend(hi.rearrange(UP[2]), HIGH[2]);
        v13 = lo.rearrange(DOWN[2]).blend(hi, HIGH[2]);
        lo = v10;
        hi = v14;
        v10 = lo.blend(hi.rearrange(UP[2]), HIGH[2]);
        v14 = lo.rearrange(DOWN[2]).blend(hi, HIGH[2]);
        lo = v11;
        hi = v15;
        v11 = lo.blend(hi.rearrange(UP[2]), HIGH[2]);
        v15 = lo.rearrange(DOWN[2]).blend(hi, HIGH[2]);
        // Stage 3: swap 8-lane blocks between rows 8 apart.
        lo = v0;
        hi = v8;
        v0 = lo.blend(hi.rearrange(UP[3]), HIGH[3]);
        v8 = lo.rearrange(DOWN[3]).blend(hi, HIGH[3]);
        lo = v1;
        hi = v9;
        v1 = lo.blend(hi.rearrange(UP[3]), HIGH[3]);
        v9 = lo.rearrange(DOWN[3]).blend(hi, HIGH[3]);
        lo = v2;
        hi = v10;
        v2 = lo.blend(hi.rearrange(UP[3]), HIGH[3]);
        v10 = lo.rearrange(DOWN[3]).blend(hi, HIGH[3]);
        lo = v3;
        hi = v11;
        v3 = lo.blend(hi.rearrange(UP[3]), HIGH[3]);
        v11 = lo.rearrange(DOWN[3]).blend(hi, HIGH[3]);
        lo = v4;
        hi = v12;
        v4 = lo.blend(hi.rearrange(UP[3]), HIGH[3]);
        v12 = lo.rearrange(DOWN[3]).blend(hi, HIGH[3]);
        lo = v5;
        hi = v13;
        v5 = lo.blend(hi.rearrange(UP[3]), HIGH[3]);
        v13 = lo.rearrange(DOWN[3]).blend(hi, HIGH[3]);
        lo = v6;
        hi = v14;
        v6 = lo.blend(hi.rearrange(UP[3]), HIGH[3]);
        v14 = lo.rearrange(DOWN[3]).blend(hi, HIGH[3]);
        lo = v7;
        hi = v15;
        v7 = lo.blend(hi.rearrange(UP[3]), HIGH[3]);
        v15 = lo.rearrange(DOWN[3]).blend(hi, HIGH[3]);
        v0.intoArray(dst, to + 0 * NR);
        v1.intoArray(dst, to + 1 * NR);
        v2.intoArray(dst, to + 2 * NR);
        v3.intoArray(dst, to + 3 * NR);
        v4.intoArray(dst, to + 4 * NR);
        v5.intoArray(dst, to + 5 * NR);
        v6.intoArray(dst, to + 6 * NR);
        v7.intoArray(dst, to + 7 * NR);
        v8.intoArray(dst, to + 8 * NR);
        v9.intoArray(dst, to + 9 * NR);
        v10.intoArray(dst, to + 10 * NR);
        v11.intoArray(dst, to + 11 * NR);
        v12.intoArray(dst, to + 12 * NR);
        v13.intoArray(dst, to + 13 * NR);
        v14.intoArray(dst, to + 14 * NR);
        v15.intoArray(dst, to + 15 * NR);
    }

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] shuffles(int direction) {
        VectorShuffle<Float>[] result = new VectorShuffle[STAGES];
        for (int s = 0; s < STAGES; s++) result[s] = rotation(SPECIES, direction * (1 << s));
        return result;
    }

    @SuppressWarnings("unchecked")
    private static VectorMask<Float>[] highHalves() {
        VectorMask<Float>[] result = new VectorMask[STAGES];
        for (int s = 0; s < STAGES; s++) result[s] = lanesWithBit(SPECIES, 1 << s);
        return result;
    }

    /** Lane l takes lane l + by (mod the length): by &lt; 0 moves lanes up, by &gt; 0 down. */
    static VectorShuffle<Float> rotation(VectorSpecies<Float> species, int by) {
        int[] lanes = new int[species.length()];
        for (int l = 0; l < lanes.length; l++) lanes[l] = Math.floorMod(l + by, lanes.length);
        return VectorShuffle.fromArray(species, lanes, 0);
    }

    /** The lanes whose index has {@code bit} set: the upper block of each pair a stage swaps. */
    static VectorMask<Float> lanesWithBit(VectorSpecies<Float> species, int bit) {
        boolean[] lanes = new boolean[species.length()];
        for (int l = 0; l < lanes.length; l++) lanes[l] = (l & bit) != 0;
        return VectorMask.fromArray(species, lanes, 0);
    }
}
