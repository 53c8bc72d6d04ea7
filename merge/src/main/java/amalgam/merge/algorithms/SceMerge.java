package amalgam.merge.algorithms;

import amalgam.kernels.ElectedMean;
import amalgam.kernels.FloatSegments;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * SCE (Select, Calculate, Erase; mergekit's {@code sce}): keep the entries whose values vary most across the
 * adapters, weigh each adapter by its share of the kept energy, then elect a sign per entry and average the
 * agreeing entries by those weights.
 *
 * <ol>
 *   <li>Select: the population variance of each entry over the n tensors; the ⌊d·m⌋ entries of largest
 *       variance are kept in every tensor, m being the entries whose variance is not zero (d ≥ 1 keeps all).
 *       Ties go to the lower index, as in every magnitude ranking here.</li>
 *   <li>Calculate: w_i = mean(p_i²) / Σ_j mean(p_j²) over the selected tensors p_i; equal weights 1/n when all
 *       are zero. SCE's weights are its own: the method takes no {@code weight} (so the merge refuses
 *       {@code --weights}), and the weights passed to {@link #merge} are only counted.</li>
 *   <li>Erase: the sign of Σ_i p_i elects (+ on a tie, as TIES's "total"); the result is
 *       Σ w_i p_i m_i / Σ w_i m_i over the agreeing tensors, 0 where none agrees.</li>
 * </ol>
 *
 * <p>Where mergekit differs: it falls back to equal weights when Σ mean(p²) is below 1e-6 in absolute terms,
 * which gives the small deltas of a LoRA (entries of 1e-3 have mean squares near 1e-6) equal weights by their
 * scale alone; here only all-zero tensors do. Its divisor max(Σ w_i m_i, 1e-6) and the one here (Σ w_i m_i, or
 * 1 below 1e-8) differ only where the agreeing adapters hold a millionth of the energy.
 */
public final class SceMerge implements TensorMerge {

    /** Election on the unweighted tensors, divided by the agreeing weight: step 3. */
    private static final ElectedMean ERASE =
            new ElectedMean(ElectedMean.Election.TOTAL, false, ElectedMean.Divisor.AGREEING_WEIGHT, 1);

    private final ComputeContext ctx;
    private final double density;

    public SceMerge(ComputeContext ctx, double density) {
        this.ctx = ctx;
        this.density = Density.check(density);
    }

    @Override
    public void merge(int rows, int cols, List<MemorySegment> tensors, double[] weights, long stream,
                      MemorySegment out) {
        requireOneWeightEach(tensors, weights);
        long n = (long) rows * cols;
        try (Arena arena = Arena.ofShared()) {
            List<MemorySegment> copies = new ArrayList<>(tensors.size());
            for (MemorySegment t : tensors) {
                MemorySegment copy = FloatSegments.allocate(arena, n);
                MemorySegment.copy(t, 0, copy, 0, n * Float.BYTES);
                copies.add(copy);
            }
            mergeOverwriting(rows, cols, copies, weights, stream, out);
        }
    }

    @Override
    public void mergeOverwriting(int rows, int cols, List<MemorySegment> tensors, double[] weights, long stream,
                                 MemorySegment out) {
        requireOneWeightEach(tensors, weights);
        long n = (long) rows * cols;
        if (density < 1) {
            try (Arena arena = Arena.ofShared()) {
                MemorySegment variance = FloatSegments.allocate(arena, n);
                long varying = variance(n, tensors, variance);
                long keep = (long) Math.floor(density * varying);
                // The top variances are positive, so the kept window marks exactly the selected entries.
                ctx.backend().keepMagnitudeRanks(n, variance, 0, keep, variance);
                for (MemorySegment t : tensors) {
                    for (long e = 0; e < n; e++) {
                        if (FloatSegments.get(variance, e) == 0) FloatSegments.set(t, e, 0);
                    }
                }
            }
        }
        ctx.backend().electedMean(ERASE, n, tensors.toArray(MemorySegment[]::new), energyShares(n, tensors), out);
    }

    /** Writes each entry's population variance over the tensors; returns how many are not zero. */
    private static long variance(long n, List<MemorySegment> tensors, MemorySegment out) {
        long varying = 0;
        int count = tensors.size();
        for (long e = 0; e < n; e++) {
            double sum = 0;
            for (MemorySegment t : tensors) sum += FloatSegments.get(t, e);
            double mean = sum / count, squares = 0;
            for (MemorySegment t : tensors) {
                double d = FloatSegments.get(t, e) - mean;
                squares += d * d;
            }
            float variance = (float) (squares / count);
            FloatSegments.set(out, e, variance);
            if (variance != 0) varying++;
        }
        return varying;
    }

    /** w_i = mean(p_i²) / Σ_j mean(p_j²), or 1/n each when every tensor is zero. */
    static double[] energyShares(long n, List<MemorySegment> tensors) {
        double[] energy = new double[tensors.size()];
        double total = 0;
        for (int i = 0; i < energy.length; i++) {
            MemorySegment t = tensors.get(i);
            double squares = 0;
            for (long e = 0; e < n; e++) {
                double v = FloatSegments.get(t, e);
                squares += v * v;
            }
            energy[i] = squares / n;
            total += energy[i];
        }
        for (int i = 0; i < energy.length; i++) energy[i] = total == 0 ? 1.0 / energy.length : energy[i] / total;
        return energy;
    }

    private static void requireOneWeightEach(List<MemorySegment> tensors, double[] weights) {
        if (tensors.size() != weights.length) {
            throw new IllegalArgumentException("--weights: " + weights.length + " weights for " + tensors.size()
                    + " adapters");
        }
    }
}
