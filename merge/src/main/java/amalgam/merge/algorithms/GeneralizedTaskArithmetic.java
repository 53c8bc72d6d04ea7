package amalgam.merge.algorithms;

import amalgam.kernels.ElectedMean;
import amalgam.kernels.FloatSegments;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Every task-arithmetic merge as three stages: sparsify each tensor, optionally elect a sign per entry, then
 * combine. linear = (none, no election), magnitude prune = (magnitude, none), TIES = (magnitude, sign),
 * dare_linear = (DARE, none), dare_ties = (DARE, sign), breadcrumbs = (breadcrumbs, none),
 * DELLA = (DELLA, sign).
 *
 * <p>Combining, PEFT: Σ w_i p_i m_i / max(Σ m_i, 1) with an election, Σ w_i p_i without. Mergekit: elects on
 * the weighted values w_i p_i, divides by Σ w_i m_i when {@code normalize} (1 where that is ~0), and
 * multiplies by λ.
 */
public final class GeneralizedTaskArithmetic implements TensorMerge {

    private final ComputeContext ctx;
    private final Sparsifier sparsifier;
    private final ElectedMean combiner;

    /**
     * @param election null for no sign election
     * @param normalize mergekit only: divide by the summed weights of the contributing entries
     * @param lambda mergekit only: final scale of the merged tensor
     */
    public GeneralizedTaskArithmetic(ComputeContext ctx, Sparsifier sparsifier, MajoritySign election,
                                     Semantics semantics, boolean normalize, double lambda) {
        this.ctx = ctx;
        this.sparsifier = sparsifier;
        boolean mergekit = semantics == Semantics.MERGEKIT;
        ElectedMean.Divisor divisor = mergekit
                ? (normalize ? ElectedMean.Divisor.AGREEING_WEIGHT : ElectedMean.Divisor.ONE)
                : (election == null ? ElectedMean.Divisor.ONE : ElectedMean.Divisor.AGREEING_COUNT);
        this.combiner = new ElectedMean(electionOf(election), mergekit, divisor, mergekit ? lambda : 1);
    }

    @Override
    public void merge(int rows, int cols, List<MemorySegment> tensors, double[] weights, long stream,
                      MemorySegment out) {
        checkCount(tensors, weights);
        long n = (long) rows * cols;
        if (sparsifier == Sparsifier.NONE) {
            combine(n, tensors, weights, out); // nothing to sparsify: spare a copy of every tensor
            return;
        }
        try (Arena arena = Arena.ofShared()) {
            List<MemorySegment> sparse = new ArrayList<>(tensors.size());
            for (int i = 0; i < tensors.size(); i++) {
                MemorySegment p = FloatSegments.allocate(arena, n);
                sparsifier.sparsify(rows, cols, tensors.get(i), i, stream, p);
                sparse.add(p);
            }
            combine(n, sparse, weights, out);
        }
    }

    /** Sparsifies every tensor where it lies, then combines into out (which may be one of them). */
    @Override
    public void mergeOverwriting(int rows, int cols, List<MemorySegment> tensors, double[] weights, long stream,
                                 MemorySegment out) {
        checkCount(tensors, weights);
        for (int i = 0; i < tensors.size(); i++) {
            if (sparsifier != Sparsifier.NONE) sparsifier.sparsify(rows, cols, tensors.get(i), i, stream, tensors.get(i));
        }
        combine((long) rows * cols, tensors, weights, out);
    }

    /** Writes tensor {@code index} of a merge into {@code target} (rows × cols), as often as asked. */
    @FunctionalInterface
    public interface TensorSource {
        void fill(int index, MemorySegment target);
    }

    /**
     * The same merge of {@code count} tensors that are made on demand, one at a time, in {@code scratch} (rows ×
     * cols): memory is bounded by a few tensors, not by their number. Each tensor is made and sparsified once to
     * vote (when there is an election) and once to be summed; sparsifying is a function of the tensor, its index
     * and {@code stream}, so both passes see the same one and the result equals {@link #merge} bit for bit.
     */
    public void mergeStreaming(int rows, int cols, int count, TensorSource source, double[] weights, long stream,
                               MemorySegment scratch, MemorySegment out) {
        if (count != weights.length) {
            throw new IllegalArgumentException("--weights: " + weights.length + " weights for " + count + " adapters");
        }
        long n = (long) rows * cols;
        try (Arena arena = Arena.ofShared()) {
            StreamedElectedMean mean = new StreamedElectedMean(combiner, ctx, n, arena);
            for (int pass = mean.elects() ? 0 : 1; pass < 2; pass++) {
                for (int i = 0; i < count; i++) {
                    source.fill(i, scratch);
                    if (sparsifier != Sparsifier.NONE) sparsifier.sparsify(rows, cols, scratch, i, stream, scratch);
                    if (pass == 0) mean.vote(scratch, weights[i]);
                    else mean.add(scratch, weights[i]);
                }
            }
            mean.finish(out);
        }
    }

    private static void checkCount(List<MemorySegment> tensors, double[] weights) {
        if (tensors.size() != weights.length) {
            throw new IllegalArgumentException("--weights: " + weights.length + " weights for "
                    + tensors.size() + " adapters");
        }
    }

    private static ElectedMean.Election electionOf(MajoritySign election) {
        if (election == null) return ElectedMean.Election.NONE;
        return switch (election) {
            case TOTAL -> ElectedMean.Election.TOTAL;
            case FREQUENCY -> ElectedMean.Election.FREQUENCY;
        };
    }

    private void combine(long n, List<MemorySegment> tensors, double[] weights, MemorySegment out) {
        ctx.backend().electedMean(combiner, n, tensors.toArray(MemorySegment[]::new), weights, out);
    }
}
