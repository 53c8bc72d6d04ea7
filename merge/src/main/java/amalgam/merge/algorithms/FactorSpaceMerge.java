package amalgam.merge.algorithms;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * PEFT's factor-wise merge ({@code --space factors}): with c_i = w_i·s_i the merge runs separately on the A
 * stack with weights √|c_i|·sign(c_i) and on the B stack with weights √|c_i|. For linear that gives
 * (Σ √|c_i| B_i)(Σ ±√|c_i| A_i), which contains the cross terms B_i A_j (i ≠ j): it is what PEFT users get,
 * not the weighted sum of updates. Every adapter must have the same rank.
 */
public final class FactorSpaceMerge {

    private FactorSpaceMerge() {}

    /** {@code stream} seeds random masks; A uses stream 2s and B 2s + 1 so their masks are independent. */
    public static LowRankUpdate merge(List<LowRankUpdate> updates, double[] weights, TensorMerge merge,
                                      long stream, Arena arena) {
        Weights.check(updates, weights);
        int rank = updates.getFirst().rank();
        for (LowRankUpdate u : updates) {
            if (u.rank() != rank) {
                throw new IllegalArgumentException("--space factors: needs equal ranks, got " + rank + " and "
                        + u.rank() + "; use the delta space (the default) to merge different ranks");
            }
        }
        double[] aWeights = new double[weights.length], bWeights = new double[weights.length];
        for (int i = 0; i < weights.length; i++) {
            double c = weights[i] * updates.get(i).scale();
            bWeights[i] = Math.sqrt(Math.abs(c));
            aWeights[i] = Math.signum(c) * bWeights[i];
        }
        int out = updates.getFirst().outFeatures(), in = updates.getFirst().inFeatures();
        DenseMatrix a = DenseMatrix.zeros(arena, rank, in);
        DenseMatrix b = DenseMatrix.zeros(arena, out, rank);
        List<MemorySegment> as = updates.stream().map(u -> u.a().data()).toList();
        List<MemorySegment> bs = updates.stream().map(u -> u.b().data()).toList();
        merge.merge(rank, in, as, aWeights, 2 * stream, a.data());
        merge.merge(out, rank, bs, bWeights, 2 * stream + 1, b.data());
        return new LowRankUpdate(b, a, 1);
    }
}
