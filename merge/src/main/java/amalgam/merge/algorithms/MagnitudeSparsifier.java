package amalgam.merge.algorithms;

import amalgam.kernels.FloatSegments;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import java.lang.foreign.MemorySegment;

/**
 * Keeps the entries whose magnitude rank (0 = largest |t|, ties to lower index) lies in a window, zeroes the
 * rest. Magnitude pruning and TIES trimming keep ranks [0, ⌊d·n⌋); breadcrumbs keeps [⌊γ·n⌋, ⌊γ·n⌋ + ⌊d·n⌋),
 * dropping the top γ outliers and the small tail.
 */
public final class MagnitudeSparsifier implements Sparsifier {

    private final ComputeContext ctx;
    private final double density;
    private final double gamma;

    private MagnitudeSparsifier(ComputeContext ctx, double density, double gamma) {
        this.ctx = ctx;
        this.density = Density.check(density);
        if (Double.isNaN(gamma) || gamma < 0 || gamma > 1) {
            throw new IllegalArgumentException("--gamma: must be in [0, 1], got " + gamma);
        }
        this.gamma = gamma;
    }

    /** Keeps the ⌊d·n⌋ largest |t| (TIES trim, magnitude prune); d ≥ 1 keeps everything, d = 0 nothing. */
    public static MagnitudeSparsifier topDensity(ComputeContext ctx, double density) {
        return new MagnitudeSparsifier(ctx, density, 0);
    }

    /**
     * Breadcrumbs: drops the ⌊γ·n⌋ largest |t|, keeps the next ⌊d·n⌋, drops the rest. When γ + d exceeds 1 the
     * kept window is shifted down so that ⌊d·n⌋ entries are still kept (as mergekit does).
     */
    public static MagnitudeSparsifier breadcrumbs(ComputeContext ctx, double density, double gamma) {
        return new MagnitudeSparsifier(ctx, density, gamma);
    }

    @Override
    public void sparsify(int rows, int cols, MemorySegment t, int adapter, long stream, MemorySegment out) {
        long n = (long) rows * cols;
        long keep = Density.keepCount(density, n);
        long dropTop = Math.min((long) Math.floor(gamma * n), n - keep);
        keepRankWindow(n, t, dropTop, dropTop + keep, out);
    }

    private void keepRankWindow(long n, MemorySegment t, long fromRank, long toRank, MemorySegment out) {
        TopMagnitude upTo = TopMagnitude.of(ctx, n, t, toRank);
        TopMagnitude before = TopMagnitude.of(ctx, n, t, fromRank);
        boolean vector = upTo.vectorisable() && before.vectorisable();
        ctx.forEachChunk(n, (c, from, to) -> {
            TopMagnitude.Cursor inUpTo = upTo.cursor(c);
            TopMagnitude.Cursor inBefore = before.cursor(c);
            long i = vector ? keepVectors(upTo, before, inUpTo, inBefore, t, from, to, out) : from;
            keepScalar(inUpTo, inBefore, t, i, to, out);
        });
    }

    /** Whole vectors of [from, to); returns where the scalar tail starts. */
    private static long keepVectors(TopMagnitude upTo, TopMagnitude before, TopMagnitude.Cursor inUpTo,
                                    TopMagnitude.Cursor inBefore, MemorySegment t, long from, long to,
                                    MemorySegment out) {
        int lanes = TopMagnitude.SPECIES.length();
        FloatVector zero = FloatVector.zero(TopMagnitude.SPECIES);
        long i = from;
        for (; i + lanes <= to; i += lanes) {
            FloatVector v = FloatVector.fromMemorySegment(TopMagnitude.SPECIES, t, i * Float.BYTES, TopMagnitude.ORDER);
            FloatVector abs = v.abs();
            if (upTo.undecided(abs).or(before.undecided(abs)).anyTrue()) {
                // Entries tied with a threshold are kept in index order: the cursors decide them one by one.
                keepScalar(inUpTo, inBefore, t, i, i + lanes, out);
                continue;
            }
            VectorMask<Float> kept = upTo.above(abs).andNot(before.above(abs));
            zero.blend(v, kept).intoMemorySegment(out, i * Float.BYTES, TopMagnitude.ORDER);
        }
        return i;
    }

    /** The reference loop; the vector loop's result must equal it. */
    private static void keepScalar(TopMagnitude.Cursor inUpTo, TopMagnitude.Cursor inBefore, MemorySegment t,
                                   long from, long to, MemorySegment out) {
        for (long i = from; i < to; i++) {
            float v = FloatSegments.get(t, i);
            boolean kept = inUpTo.next(v) & !inBefore.next(v);
            FloatSegments.set(out, i, kept ? v : 0f);
        }
    }
}
