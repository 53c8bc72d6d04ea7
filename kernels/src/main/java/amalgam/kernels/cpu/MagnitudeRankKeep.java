package amalgam.kernels.cpu;

import amalgam.kernels.FloatSegments;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import java.lang.foreign.MemorySegment;

/**
 * One chunk of the magnitude rank window keep: an entry is kept when it is in the top {@code upTo} and not in
 * the top {@code before}. Whole vectors are decided by comparing with the thresholds; a vector holding an
 * entry tied with a threshold (or NaN) is decided entry by entry by the cursors, in index order.
 */
final class MagnitudeRankKeep {

    private MagnitudeRankKeep() {}

    /** Writes entries [from, to) of out, the {@code chunk}-th chunk; out may be x. */
    static void keep(TopMagnitude upTo, TopMagnitude before, int chunk, MemorySegment x, long from, long to,
                     MemorySegment out) {
        TopMagnitude.Cursor inUpTo = upTo.cursor(chunk);
        TopMagnitude.Cursor inBefore = before.cursor(chunk);
        boolean vector = upTo.vectorisable() && before.vectorisable();
        long i = vector ? keepVectors(upTo, before, inUpTo, inBefore, x, from, to, out) : from;
        keepScalar(inUpTo, inBefore, x, i, to, out);
    }

    /** Whole vectors of [from, to); returns where the scalar tail starts. */
    private static long keepVectors(TopMagnitude upTo, TopMagnitude before, TopMagnitude.Cursor inUpTo,
                                    TopMagnitude.Cursor inBefore, MemorySegment x, long from, long to,
                                    MemorySegment out) {
        int lanes = TopMagnitude.SPECIES.length();
        FloatVector zero = FloatVector.zero(TopMagnitude.SPECIES);
        long i = from;
        for (; i + lanes <= to; i += lanes) {
            FloatVector v = FloatVector.fromMemorySegment(TopMagnitude.SPECIES, x, i * Float.BYTES, TopMagnitude.ORDER);
            FloatVector abs = v.abs();
            if (upTo.undecided(abs).or(before.undecided(abs)).anyTrue()) {
                // Entries tied with a threshold are kept in index order: the cursors decide them one by one.
                keepScalar(inUpTo, inBefore, x, i, i + lanes, out);
                continue;
            }
            VectorMask<Float> kept = upTo.above(abs).andNot(before.above(abs));
            zero.blend(v, kept).intoMemorySegment(out, i * Float.BYTES, TopMagnitude.ORDER);
        }
        return i;
    }

    private static void keepScalar(TopMagnitude.Cursor inUpTo, TopMagnitude.Cursor inBefore, MemorySegment x,
                                   long from, long to, MemorySegment out) {
        for (long i = from; i < to; i++) {
            float v = FloatSegments.get(x, i);
            boolean kept = inUpTo.next(v) & !inBefore.next(v);
            FloatSegments.set(out, i, kept ? v : 0f);
        }
    }
}
