package amalgam.merge.algorithms;

import amalgam.kernels.FloatSegments;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * DELLA's magnitude-ranked sampling (MAGPRUNE): within each row, entries are ranked by |t| and kept with a
 * probability rising linearly from d − ε (smallest) to d + ε (largest), clamped to [0, 1]; each kept entry is
 * rescaled by 1/p so its expectation is unchanged. Ties in |t| go to the lower index, as in magnitude pruning.
 */
public final class DellaSparsifier implements Sparsifier {

    private final ComputeContext ctx;
    private final double density;
    private final double epsilon;
    private final KeepMask mask;

    public DellaSparsifier(ComputeContext ctx, double density, double epsilon, KeepMask mask) {
        this.ctx = ctx;
        this.density = Density.check(density);
        if (Double.isNaN(epsilon) || epsilon < 0) {
            throw new IllegalArgumentException("--epsilon: must be a number ≥ 0, got " + epsilon);
        }
        this.epsilon = epsilon;
        this.mask = mask;
    }

    @Override
    public void sparsify(int rows, int cols, MemorySegment t, int adapter, long stream, MemorySegment out) {
        if (density >= 1) {
            Sparsifier.NONE.sparsify(rows, cols, t, adapter, stream, out);
            return;
        }
        double minP = Math.max(density - epsilon, 0), maxP = Math.min(density + epsilon, 1);
        ctx.pool().parallelFor(rows, row -> {
            long base = (long) row * cols;
            long[] order = ascendingMagnitudeOrder(t, base, cols);
            for (int rank = 0; rank < cols; rank++) {
                int j = (int) (order[rank] & 0xFFFF_FFFFL);
                double p = cols == 1 ? density : minP + (maxP - minP) * rank / (cols - 1);
                long index = base + j;
                float v = FloatSegments.get(t, index);
                boolean keep = p > 0 && mask.keep(adapter, stream, index, p);
                FloatSegments.set(out, index, keep ? (float) (v / p) : 0f);
            }
        });
    }

    /**
     * Column indices of one row sorted by ascending |t|, equal magnitudes with the higher index first (so the
     * lower index ranks as larger). Each key packs |t|'s bits, which order like the non-negative floats they
     * are, above an inverted index; the index is recovered from the low 32 bits.
     */
    private static long[] ascendingMagnitudeOrder(MemorySegment t, long base, int cols) {
        long[] keys = new long[cols];
        for (int j = 0; j < cols; j++) {
            long bits = Float.floatToIntBits(Math.abs(FloatSegments.get(t, base + j)));
            keys[j] = (bits << 32) | (Integer.MAX_VALUE - j);
        }
        Arrays.sort(keys);
        for (int r = 0; r < cols; r++) keys[r] = Integer.MAX_VALUE - (keys[r] & 0xFFFF_FFFFL);
        return keys;
    }
}
