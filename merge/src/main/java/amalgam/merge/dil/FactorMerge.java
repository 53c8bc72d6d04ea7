package amalgam.merge.dil;

import amalgam.engine.Engine;
import amalgam.engine.Tensor;
import amalgam.merge.algorithms.Concatenation;
import amalgam.merge.algorithms.DeltaSpaceMerge;
import amalgam.merge.algorithms.DenseMatrix;
import amalgam.merge.algorithms.LegoReweighting;
import amalgam.merge.algorithms.LoraLego;
import amalgam.merge.algorithms.LowRankUpdate;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The study's merges of whole LoRA factors, with the merge library's own algorithms: LoRA-LEGO's claim is that
 * clustering the adapters' rank slices into r units beats the truncated SVD of their weighted sum at the same
 * rank r, so {@code lego} and {@code svd} both output the adapters' rank; {@code cat} keeps every slice (rank
 * t·r) and is the exact weighted sum, equal to task arithmetic, which the table shows side by side.
 */
enum FactorMerge {
    LEGO, SVD, CAT;

    /** The method's name in the tables, the JSON and the plots, as {@code amalgam merge --method} spells it. */
    String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The rank of the merged update of {@code adapters} adapters of rank {@code rank}. */
    int outputRank(int adapters, int rank) {
        return this == CAT ? adapters * rank : rank;
    }

    /**
     * Each module's merged update s·B·A [out, in] (persistent) of {@code loras}, every adapter weighted
     * {@code weight}; {@code seed} seeds lego's k-means++.
     */
    Map<String, Tensor> deltas(List<LoraFactors> loras, double weight, int rank, long seed) {
        double[] weights = new double[loras.size()];
        Arrays.fill(weights, weight);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String module : loras.getFirst().a().keySet()) {
            try (Arena arena = Arena.ofConfined()) {
                List<LowRankUpdate> updates = new ArrayList<>();
                for (LoraFactors lora : loras) updates.add(update(lora, module, arena));
                LowRankUpdate merged = switch (this) {
                    case LEGO -> new LoraLego(rank, seed, LegoReweighting.L2, true).merge(updates, weights, arena);
                    case SVD -> DeltaSpaceMerge.svd(updates, weights, rank, arena);
                    case CAT -> Concatenation.cat(updates, weights, arena);
                };
                out.put(module, dense(merged));
            }
        }
        return out;
    }

    private static LowRankUpdate update(LoraFactors lora, String module, Arena arena) {
        Tensor a = lora.a().get(module), b = lora.b().get(module);
        return new LowRankUpdate(DenseMatrix.of(arena, b.dim(0), b.dim(1), b.toFloatArray()),
                DenseMatrix.of(arena, a.dim(0), a.dim(1), a.toFloatArray()), lora.scaling());
    }

    private static Tensor dense(LowRankUpdate merged) {
        try (var _ = Engine.noGrad(); var _ = Engine.step()) {
            Tensor b = Tensor.of(merged.b().toArray(), merged.outFeatures(), merged.rank());
            Tensor a = Tensor.of(merged.a().toArray(), merged.rank(), merged.inFeatures());
            return b.matmul(a).mul(merged.scale()).toPersistent();
        }
    }
}
