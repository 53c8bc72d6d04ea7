package amalgam.merge.algorithms;

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
    private final MajoritySign election;
    private final Semantics semantics;
    private final boolean normalize;
    private final double lambda;

    /**
     * @param election null for no sign election
     * @param normalize mergekit only: divide by the summed weights of the contributing entries
     * @param lambda mergekit only: final scale of the merged tensor
     */
    public GeneralizedTaskArithmetic(ComputeContext ctx, Sparsifier sparsifier, MajoritySign election,
                                     Semantics semantics, boolean normalize, double lambda) {
        this.ctx = ctx;
        this.sparsifier = sparsifier;
        this.election = election;
        this.semantics = semantics;
        this.normalize = normalize;
        this.lambda = semantics == Semantics.MERGEKIT ? lambda : 1;
    }

    @Override
    public void merge(int rows, int cols, List<MemorySegment> tensors, double[] weights, long stream,
                      MemorySegment out) {
        if (tensors.size() != weights.length) {
            throw new IllegalArgumentException("--weights: " + weights.length + " weights for "
                    + tensors.size() + " adapters");
        }
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

    private void combine(long n, List<MemorySegment> sparse, double[] weights, MemorySegment out) {
        int count = sparse.size();
        boolean weightedElection = semantics == Semantics.MERGEKIT;
        ctx.forEachChunk(n, (c, from, to) -> {
            double[] voter = new double[count];
            for (long e = from; e < to; e++) {
                double votes = 0;
                for (int i = 0; i < count; i++) {
                    double p = FloatSegments.get(sparse.get(i), e);
                    voter[i] = weightedElection ? weights[i] * p : p;
                    votes += election == MajoritySign.FREQUENCY ? Math.signum(voter[i]) : voter[i];
                }
                double majority = votes >= 0 ? 1 : -1;
                double sum = 0, agreeingWeight = 0;
                int agreeing = 0;
                for (int i = 0; i < count; i++) {
                    // Zeros have sign 0 and never match the elected sign.
                    boolean member = election == null || Math.signum(voter[i]) == majority;
                    if (!member) continue;
                    sum += weights[i] * FloatSegments.get(sparse.get(i), e);
                    agreeingWeight += weights[i];
                    agreeing++;
                }
                FloatSegments.set(out, e, (float) (lambda * sum / divisor(agreeing, agreeingWeight)));
            }
        });
    }

    private double divisor(int agreeing, double agreeingWeight) {
        if (semantics == Semantics.PEFT) return election == null ? 1 : Math.max(agreeing, 1);
        if (!normalize || Math.abs(agreeingWeight) < 1e-8) return 1;
        return agreeingWeight;
    }
}
