package amalgam.kernels.cpu;

import amalgam.kernels.ReduceOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

import static amalgam.kernels.cpu.Elementwise.get;
import static amalgam.kernels.cpu.Elementwise.load;
import static amalgam.kernels.cpu.Elementwise.set;
import static amalgam.kernels.cpu.Elementwise.store;
import static amalgam.kernels.cpu.VectorMath.S;

/**
 * Reductions of the middle axis of [outer, axis, inner]. Sums stay accurate on long axes without double
 * vectors: contiguous sums add short fp32 blocks into a double; sums across rows use Kahan compensation.
 */
final class Reductions {

    private static final int LANES = S.length();
    /** Elements per fp32 block of a contiguous sum: each of 4×LANES accumulators adds at most 8 values. */
    private static final int SUM_BLOCK = 32 * LANES;

    private Reductions() {}

    /** Reduces outer rows [fromOuter, toOuter), columns [fromInner, toInner) of each. */
    static void reduce(ReduceOp op, int axis, int inner, MemorySegment x, long xOffset, MemorySegment out,
                       long outOffset, int fromOuter, int toOuter, int fromInner, int toInner) {
        for (int o = fromOuter; o < toOuter; o++) {
            long base = xOffset + (long) o * axis * inner;
            long outBase = outOffset + (long) o * inner;
            if (inner == 1) {
                double v = op == ReduceOp.MAX ? max(axis, x, base) : sum(axis, x, base);
                set(out, outBase, (float) (op == ReduceOp.MEAN ? v / axis : v));
            } else {
                reduceAcross(op, axis, inner, x, base, out, outBase, fromInner, toInner);
            }
        }
    }

    /** Σ x[offset, offset + n), accumulated in fp32 blocks that are added into a double. */
    static double sum(long n, MemorySegment x, long offset) {
        double total = 0;
        long i = 0;
        while (i + LANES <= n) {
            long blockEnd = Math.min(n, i + SUM_BLOCK);
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (; i + 4L * LANES <= blockEnd; i += 4L * LANES) {
                a0 = a0.add(load(x, offset + i));
                a1 = a1.add(load(x, offset + i + LANES));
                a2 = a2.add(load(x, offset + i + 2L * LANES));
                a3 = a3.add(load(x, offset + i + 3L * LANES));
            }
            for (; i + LANES <= blockEnd; i += LANES) a0 = a0.add(load(x, offset + i));
            total += a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) total += get(x, offset + i);
        return total;
    }

    /** max x[offset, offset + n), NaN if any element is NaN, −∞ for n = 0. */
    static float max(long n, MemorySegment x, long offset) {
        FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        long i = 0;
        for (; i + LANES <= n; i += LANES) acc = acc.max(load(x, offset + i));
        float m = acc.reduceLanes(VectorOperators.MAX);
        // Lane reduction order is unspecified; make NaN propagation explicit rather than rely on it.
        if (acc.test(VectorOperators.IS_NAN).anyTrue()) m = Float.NaN;
        for (; i < n; i++) m = Math.max(m, get(x, offset + i));
        return m;
    }

    /** One [axis, inner] slab: vectors run along inner; the axis is walked with a stride of inner. */
    private static void reduceAcross(ReduceOp op, int axis, int inner, MemorySegment x, long base,
                                     MemorySegment out, long outBase, int fromInner, int toInner) {
        int i = fromInner;
        if (op == ReduceOp.MAX) {
            for (; i + LANES <= toInner; i += LANES) maxColumns(axis, inner, x, base + i, out, outBase + i);
        } else {
            float scale = op == ReduceOp.MEAN ? 1f / axis : 1f; // an empty axis: 0 · ∞ = NaN, as 0/0
            for (; i + 4 * LANES <= toInner; i += 4 * LANES) {
                sumColumns4(axis, inner, x, base + i, out, outBase + i, scale);
            }
            for (; i + LANES <= toInner; i += LANES) sumColumns(axis, inner, x, base + i, out, outBase + i, scale);
        }
        for (; i < toInner; i++) set(out, outBase + i, (float) column(op, axis, inner, x, base + i));
    }

    /** The reference computation of one column in double: used for tails and to settle NaN lanes. */
    private static double column(ReduceOp op, int axis, int inner, MemorySegment x, long start) {
        double acc = op == ReduceOp.MAX ? Double.NEGATIVE_INFINITY : 0.0;
        for (int a = 0; a < axis; a++) {
            double v = get(x, start + (long) a * inner);
            acc = op == ReduceOp.MAX ? Math.max(acc, v) : acc + v;
        }
        return op == ReduceOp.MEAN ? acc / axis : acc;
    }

    private static void maxColumns(int axis, int inner, MemorySegment x, long start, MemorySegment out, long o) {
        FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int a = 0; a < axis; a++) m = m.max(load(x, start + (long) a * inner));
        store(m, out, o);
    }

    /*
     * Column sums use Kahan compensation (c carries the low-order bits each addition drops), four vectors at
     * a time so that four dependency chains overlap. Infinities turn a compensation into NaN; such lanes are
     * recomputed in double afterwards, which also gives NaN and ∞ exactly as the reference does.
     */

    private static void sumColumns(int axis, int inner, MemorySegment x, long start, MemorySegment out, long o,
                                   float scale) {
        FloatVector s = FloatVector.zero(S), c = s;
        for (int a = 0; a < axis; a++) {
            FloatVector y = load(x, start + (long) a * inner).sub(c);
            FloatVector t = s.add(y);
            c = t.sub(s).sub(y);
            s = t;
        }
        store(s.mul(scale), out, o);
        settleNaNLanes(s, axis, inner, x, start, out, o, scale);
    }

    private static void sumColumns4(int axis, int inner, MemorySegment x, long start, MemorySegment out, long o,
                                    float scale) {
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0, c0 = s0, c1 = s0, c2 = s0, c3 = s0;
        for (int a = 0; a < axis; a++) {
            long row = start + (long) a * inner;
            FloatVector y0 = load(x, row).sub(c0), y1 = load(x, row + LANES).sub(c1);
            FloatVector y2 = load(x, row + 2 * LANES).sub(c2), y3 = load(x, row + 3 * LANES).sub(c3);
            FloatVector t0 = s0.add(y0), t1 = s1.add(y1), t2 = s2.add(y2), t3 = s3.add(y3);
            c0 = t0.sub(s0).sub(y0);
            c1 = t1.sub(s1).sub(y1);
            c2 = t2.sub(s2).sub(y2);
            c3 = t3.sub(s3).sub(y3);
            s0 = t0;
            s1 = t1;
            s2 = t2;
            s3 = t3;
        }
        store(s0.mul(scale), out, o);
        store(s1.mul(scale), out, o + LANES);
        store(s2.mul(scale), out, o + 2 * LANES);
        store(s3.mul(scale), out, o + 3 * LANES);
        settleNaNLanes(s0, axis, inner, x, start, out, o, scale);
        settleNaNLanes(s1, axis, inner, x, start + LANES, out, o + LANES, scale);
        settleNaNLanes(s2, axis, inner, x, start + 2 * LANES, out, o + 2 * LANES, scale);
        settleNaNLanes(s3, axis, inner, x, start + 3 * LANES, out, o + 3 * LANES, scale);
    }

    private static void settleNaNLanes(FloatVector s, int axis, int inner, MemorySegment x, long start,
                                       MemorySegment out, long o, float scale) {
        VectorMask<Float> nan = s.test(VectorOperators.IS_NAN);
        if (!nan.anyTrue()) return;
        for (long bits = nan.toLong(); bits != 0; bits &= bits - 1) {
            int lane = Long.numberOfTrailingZeros(bits);
            double sum = column(ReduceOp.SUM, axis, inner, x, start + lane);
            set(out, o + lane, (float) (sum * scale));
        }
    }
}
