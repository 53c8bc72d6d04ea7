package amalgam.merge.pipeline;

import amalgam.merge.algorithms.ComputeContext;
import amalgam.merge.algorithms.Concatenation;
import amalgam.merge.algorithms.DeltaSpaceMerge;
import amalgam.merge.algorithms.FactorSpaceMerge;
import amalgam.merge.algorithms.LoraLego;
import amalgam.merge.algorithms.LowRankUpdate;
import amalgam.merge.algorithms.MergeMethod;
import amalgam.merge.algorithms.RandomizedSvd;
import amalgam.merge.algorithms.Semantics;
import amalgam.merge.algorithms.SvdClamp;
import amalgam.merge.algorithms.TensorMerge;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges one module's updates the way a {@link MergePlan} says: picks the algorithm for the method and space,
 * with the module's own weights and densities, and applies the SVD clamp. One instance serves every module, one
 * at a time.
 */
public final class ModuleMerger {

    private final MergePlan plan;
    private final ComputeContext ctx;
    private final DeltaSpaceMerge deltaSpace;
    /** The per-tensor merge for each distinct set of densities: modules mostly share one. */
    private final Map<List<Double>, TensorMerge> tensorMerges = new HashMap<>();

    public ModuleMerger(MergePlan plan, ComputeContext ctx) {
        this.plan = plan;
        this.ctx = ctx;
        this.deltaSpace = new DeltaSpaceMerge(ctx, new RandomizedSvd(ctx.backend(), plan.settings().seed()));
    }

    /**
     * The merged update of {@code module} at rank {@code rank} (as {@link MergePlan#outputRank} gave it), scale 1,
     * owned by {@code arena}. {@code stream} (the module's index) keeps random masks independent between modules.
     */
    public LowRankUpdate merge(String module, List<LowRankUpdate> updates, int rank, long stream, Arena arena) {
        double[] w = plan.weights(module);
        TensorMerge tensorMerge = plan.method().isTensorMerge() ? tensorMerge(plan.densities(module)) : null;
        LowRankUpdate merged = switch (plan.method()) {
            case CAT -> Concatenation.cat(updates, w, arena);
            case LEGO -> new LoraLego(rank, plan.settings().seed(), plan.legoNorm(), plan.legoOutputReweighting())
                    .merge(updates, w, arena);
            default -> plan.space() == MergePlan.Space.FACTORS
                    ? FactorSpaceMerge.merge(updates, w, tensorMerge, stream, arena)
                    : isLinear() ? DeltaSpaceMerge.svd(updates, scaled(w, lambda()), rank, arena)
                    : deltaSpace.dense(updates, w, tensorMerge, rank, stream, arena);
        };
        return plan.svdClamp() == null ? merged : SvdClamp.apply(merged, plan.svdClamp());
    }

    private TensorMerge tensorMerge(double[] densities) {
        return tensorMerges.computeIfAbsent(Arrays.stream(densities).boxed().toList(),
                key -> plan.method().tensorMerge(ctx, plan.settings(), densities));
    }

    /**
     * The factor each adapter's update of {@code module} enters the merge with, in input order: the user's
     * weight, times mergekit's λ where the linear merge folds it into the weights (1e300 there would otherwise
     * pass the range check).
     */
    double[] weights(String module) {
        return isLinear() ? scaled(plan.weights(module), lambda()) : plan.weights(module);
    }

    /** A linear sum is low-rank already: the exact factored SVD replaces the dense one. */
    private boolean isLinear() {
        return plan.method() == MergeMethod.LINEAR || plan.method() == MergeMethod.SVD;
    }

    /** Mergekit's final λ of a linear merge, which the factored path folds into the weights. */
    private double lambda() {
        return plan.settings().semantics() == Semantics.MERGEKIT ? plan.settings().lambda() : 1;
    }

    private static double[] scaled(double[] weights, double factor) {
        double[] out = weights.clone();
        for (int i = 0; i < out.length; i++) out[i] *= factor;
        return out;
    }
}
