package amalgam.merge.algorithms;

import java.lang.foreign.MemorySegment;

/**
 * Keeps the entries whose magnitude rank (0 = largest |t|, ties to lower index) lies in a window, zeroes the
 * rest. Magnitude pruning and TIES trimming keep ranks [0, ⌊d·n⌋); breadcrumbs keeps [⌊γ·n⌋, ⌊γ·n⌋ + ⌊d·n⌋),
 * dropping the top γ outliers and the small tail. The sweep is the backend's
 * {@link amalgam.kernels.MergeSweeps#keepMagnitudeRanks}.
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
        ctx.backend().keepMagnitudeRanks(n, t, dropTop, dropTop + keep, out);
    }
}
