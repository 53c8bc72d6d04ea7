package amalgam.merge.algorithms;

import amalgam.kernels.FloatSegments;

import java.lang.foreign.MemorySegment;

/**
 * DARE (drop and rescale): keeps each entry with probability d and rescales what survives so the expected
 * tensor is unchanged. PEFT rescales by 1/d; mergekit rescales so the L1 norm matches the original. d = 0
 * gives zeros (never NaN); d ≥ 1 keeps the tensor as is.
 */
public final class DareSparsifier implements Sparsifier {

    private final ComputeContext ctx;
    private final double density;
    private final Semantics semantics;
    private final KeepMask mask;

    public DareSparsifier(ComputeContext ctx, double density, Semantics semantics, KeepMask mask) {
        this.ctx = ctx;
        this.density = Density.check(density);
        this.semantics = semantics;
        this.mask = mask;
    }

    @Override
    public void sparsify(int rows, int cols, MemorySegment t, int adapter, long stream, MemorySegment out) {
        long n = (long) rows * cols;
        if (density >= 1) {
            Sparsifier.NONE.sparsify(rows, cols, t, adapter, stream, out);
            return;
        }
        float peftScale = density == 0 ? 0f : (float) (1 / density);
        // Per-chunk sums added in chunk order: the rescale is the same whatever the threads did, run after run.
        double[] originalL1 = new double[ComputeContext.chunkCount(n)];
        double[] keptL1 = new double[originalL1.length];
        ctx.forEachChunk(n, (c, from, to) -> {
            double all = 0, kept = 0;
            for (long i = from; i < to; i++) {
                float v = FloatSegments.get(t, i);
                boolean keep = density > 0 && mask.keep(adapter, stream, i, density);
                all += Math.abs(v);
                if (keep) kept += Math.abs(v);
                FloatSegments.set(out, i, keep ? v * (semantics == Semantics.PEFT ? peftScale : 1f) : 0f);
            }
            originalL1[c] = all;
            keptL1[c] = kept;
        });
        if (semantics == Semantics.MERGEKIT) {
            double all = 0, kept = 0;
            for (int c = 0; c < originalL1.length; c++) {
                all += originalL1[c];
                kept += keptL1[c];
            }
            L1Rescale.apply(ctx, n, out, all, kept);
        }
    }
}
