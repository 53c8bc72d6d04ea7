package amalgam.merge.pipeline;

import amalgam.kernels.FloatSegments;
import amalgam.merge.algorithms.ComputeContext;
import amalgam.merge.algorithms.Concatenation;
import amalgam.merge.algorithms.DeltaSpaceMerge;
import amalgam.merge.algorithms.DenseMatrix;
import amalgam.merge.algorithms.FactorSpaceMerge;
import amalgam.merge.algorithms.LoraLego;
import amalgam.merge.algorithms.LowRankOps;
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
     * A module's merged update and the share of the full merged update ΔW it keeps, ‖kept‖²_F / ‖ΔW‖²_F
     * (before any SVD clamp): 1 where nothing is truncated (cat, factor space), NaN for lego, whose clusters
     * are no truncation of one merged update.
     */
    public record Merged(LowRankUpdate update, double energyKept) {}

    /**
     * The merged update of {@code module} at rank {@code rank} (as {@link MergePlan#outputRank} gave it), scale 1,
     * owned by {@code arena}, with the energy it kept. {@code stream} (the module's index) keeps random masks
     * independent between modules.
     */
    public Merged merge(String module, List<LowRankUpdate> updates, int rank, long stream, Arena arena) {
        double[] w = plan.weights(module);
        TensorMerge tensorMerge = plan.method().isTensorMerge() ? tensorMerge(plan.densities(module)) : null;
        Merged merged = switch (plan.method()) {
            case CAT -> new Merged(Concatenation.cat(updates, w, arena), 1);
            case LEGO -> new Merged(new LoraLego(rank, plan.settings().seed(), plan.legoNorm(),
                    plan.legoOutputReweighting()).merge(updates, w, arena), Double.NaN);
            default -> {
                if (plan.space() == MergePlan.Space.FACTORS) {
                    yield new Merged(FactorSpaceMerge.merge(updates, w, tensorMerge, stream, arena), 1);
                }
                if (isLinear()) {
                    double[] c = scaled(w, lambda());
                    LowRankUpdate kept = DeltaSpaceMerge.svd(updates, c, rank, arena);
                    yield new Merged(kept, share(LowRankOps.normSquared(kept), weightedNormSquared(updates, c)));
                }
                DenseMatrix full = deltaSpace.mergedDelta(updates, w, tensorMerge, stream);
                double fullEnergy = FloatSegments.squaredNorm(full.data(), full.size());
                LowRankUpdate kept = deltaSpace.truncate(full, rank, arena);
                yield new Merged(kept, share(LowRankOps.normSquared(kept), fullEnergy));
            }
        };
        return plan.svdClamp() == null ? merged
                : new Merged(SvdClamp.apply(merged.update(), plan.svdClamp()), merged.energyKept());
    }

    /** ‖Σ c_i ΔW_i‖²_F = Σ_ij c_i c_j ⟨ΔW_i, ΔW_j⟩, from the factors. */
    private static double weightedNormSquared(List<LowRankUpdate> updates, double[] c) {
        double sum = 0;
        for (int i = 0; i < updates.size(); i++) {
            for (int j = 0; j <= i; j++) {
                double term = c[i] * c[j] * LowRankOps.inner(updates.get(i), updates.get(j));
                sum += i == j ? term : 2 * term;
            }
        }
        return Math.max(0, sum);
    }

    /**
     * kept / full, at most 1: the truncation is a projection, so only the fp32 rounding of the kept factors can
     * push it past. A zero update loses nothing.
     */
    private static double share(double kept, double full) {
        return full == 0 ? 1 : Math.min(1, kept / full);
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
