package amalgam.merge.algorithms;

import amalgam.kernels.FloatSegments;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * DELLA's magnitude-ranked sampling (MAGPRUNE): within each row, entries are ranked by |t| and kept with a
 * probability rising linearly from d − ε (smallest) to d + ε (largest), clamped to [0, 1]. Ties in |t| go to the
 * lower index, as in magnitude pruning. What is kept is rescaled as the paper does, each entry by 1/p so its
 * expectation is unchanged, or with mergekit semantics as mergekit does now: the tensor to its original L1 norm
 * (8–10% apart from 1/p on typical deltas).
 */
public final class DellaSparsifier implements Sparsifier {

    private final ComputeContext ctx;
    private final double density;
    private final double epsilon;
    private final Semantics semantics;
    private final KeepMask mask;

    public DellaSparsifier(ComputeContext ctx, double density, double epsilon, Semantics semantics, KeepMask mask) {
        this.ctx = ctx;
        this.semantics = semantics;
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
        boolean perEntry = semantics == Semantics.PEFT;
        double[] originalL1 = new double[rows], keptL1 = new double[rows];
        ctx.pool().parallelFor(rows, row -> {
            long base = (long) row * cols;
            long[] order = ascendingMagnitudeOrder(t, base, cols);
            double all = 0, kept = 0;
            for (int rank = 0; rank < cols; rank++) {
                int j = (int) (order[rank] & 0xFFFF_FFFFL);
                double p = cols == 1 ? density : minP + (maxP - minP) * rank / (cols - 1);
                long index = base + j;
                float v = FloatSegments.get(t, index);
                boolean keep = p > 0 && mask.keep(adapter, stream, index, p);
                all += Math.abs(v);
                if (keep) kept += Math.abs(v);
                FloatSegments.set(out, index, keep ? (perEntry ? (float) (v / p) : v) : 0f);
            }
            originalL1[row] = all;
            keptL1[row] = kept;
        });
        if (!perEntry) {
            // Summed in row order, so the factor does not depend on how the rows were spread over threads.
            double all = 0, kept = 0;
            for (int row = 0; row < rows; row++) {
                all += originalL1[row];
                kept += keptL1[row];
            }
            L1Rescale.apply(ctx, (long) rows * cols, out, all, kept);
        }
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
