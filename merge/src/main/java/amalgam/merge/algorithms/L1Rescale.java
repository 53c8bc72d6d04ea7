package amalgam.merge.algorithms;

import amalgam.kernels.FloatSegments;

import java.lang.foreign.MemorySegment;

/**
 * Mergekit's rescale of a randomly masked tensor (DARE, DELLA): the kept entries are scaled so that the tensor's
 * L1 norm is the original's, instead of each entry by 1/p. Left unscaled when either norm is (numerically) zero,
 * as mergekit does.
 */
final class L1Rescale {

    private static final double ZERO = 1e-8;

    private L1Rescale() {}

    /** Multiplies out's first n entries by originalL1 / keptL1. */
    static void apply(ComputeContext ctx, long n, MemorySegment out, double originalL1, double keptL1) {
        if (originalL1 < ZERO || keptL1 < ZERO) return;
        float factor = (float) (originalL1 / keptL1);
        ctx.forEachChunk(n, (c, from, to) -> {
            for (long i = from; i < to; i++) FloatSegments.set(out, i, FloatSegments.get(out, i) * factor);
        });
    }
}
