package amalgam.kernels.cpu;

import amalgam.kernels.ReduceOp;
import jdk.incubator.vector.FloatVector;
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
        for (; i + LANES <= toInner; i += LANES) {
            FloatVector r;
            if (op == ReduceOp.MAX) {
                r = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
                for (int a = 0; a < axis; a++) r = r.max(load(x, base + (long) a * inner + i));
            } else {
                // Kahan: c carries the low-order bits each addition drops. Infinities turn the compensation
                // into NaN, so a plain sum runs alongside and is taken wherever Kahan's is NaN.
                FloatVector s = FloatVector.zero(S), c = s, plain = s;
                for (int a = 0; a < axis; a++) {
                    FloatVector v = load(x, base + (long) a * inner + i);
                    plain = plain.add(v);
                    FloatVector y = v.sub(c);
                    FloatVector t = s.add(y);
                    c = t.sub(s).sub(y);
                    s = t;
                }
                s = s.blend(plain, s.test(VectorOperators.IS_NAN));
                r = op == ReduceOp.MEAN ? s.div((float) axis) : s;
            }
            store(r, out, outBase + i);
        }
        for (; i < toInner; i++) {
            double acc = op == ReduceOp.MAX ? Double.NEGATIVE_INFINITY : 0.0;
            for (int a = 0; a < axis; a++) {
                double v = get(x, base + (long) a * inner + i);
                acc = op == ReduceOp.MAX ? Math.max(acc, v) : acc + v;
            }
            set(out, outBase + i, (float) (op == ReduceOp.MEAN ? acc / axis : acc));
        }
    }
}
