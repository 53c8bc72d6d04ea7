package amalgam.merge.adaptive;

import amalgam.merge.algorithms.MergeMethod;
import amalgam.engine.DType;
import amalgam.engine.Tensor;
import amalgam.engine.nn.Module;
import amalgam.engine.nn.WeightSubstitution;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A frozen base model and frozen adapters, merged with weights that stay in the graph: for each adapted Linear
 * module W = W0 + αᵀ·D, where D [adapters, out·in] holds the {@link MaskedDeltas} computed once and α is the
 * module's column of the coefficient weights. One small GEMM per module per step, and the model's own forward
 * runs with those weights substituted ({@link WeightSubstitution}), so dL/dα (and through it dL/dc, dL/dβ)
 * comes from the ordinary backward pass. Any engine model works: TinyViT, a Hugging Face decoder or ViT, each
 * with its own forward; {@link #loss} measures the merged model on a {@link Buffer}.
 */
public final class AdaptiveMerge {

    private final Module base;
    private final List<String> modules;
    private final List<Tensor> terms = new ArrayList<>();
    private final int adapters;

    /**
     * @param base the model whose Linear modules {@code modules} (paths in its module tree) are merged
     * @param adapters each adapter's dense ΔW per module path, [out, in]; a module an adapter lacks is a zero
     *                 update
     */
    public AdaptiveMerge(Module base, List<String> modules, List<Map<String, Tensor>> adapters,
                         MergeMethod kind, double density, long seed) {
        if (adapters.isEmpty()) throw new IllegalArgumentException("merging needs at least one adapter");
        this.base = base;
        this.modules = List.copyOf(modules);
        this.adapters = adapters.size();
        for (int m = 0; m < modules.size(); m++) {
            Tensor w0 = base.linear(modules.get(m)).weight();
            List<double[]> deltas = new ArrayList<>();
            for (Map<String, Tensor> adapter : adapters) {
                Tensor delta = adapter.get(modules.get(m));
                // An adapter that leaves a module alone adds nothing to it.
                deltas.add(delta == null ? new double[w0.dim(0) * w0.dim(1)] : delta.toDoubleArray());
            }
            terms.add(MaskedDeltas.of(kind, deltas, w0.dim(0), w0.dim(1), density, seed, m, w0.dtype()));
        }
    }

    /** The model whose modules are merged. */
    public Module model() {
        return base;
    }

    public int adapterCount() {
        return adapters;
    }

    public List<String> modules() {
        return modules;
    }

    public DType dtype() {
        return terms.getFirst().dtype();
    }

    /** The merged weight of every adapted module for weights α [adapters, groups]. */
    public Map<String, Tensor> mergedWeights(Tensor alphas, Granularity granularity) {
        Map<String, Tensor> weights = new LinkedHashMap<>();
        for (int m = 0; m < modules.size(); m++) {
            Tensor w0 = base.linear(modules.get(m)).weight();
            int group = granularity.groupOf(m);
            Tensor column = alphas.slice(1, group, group + 1).mT(); // [1, adapters]
            Tensor delta = column.matmul(terms.get(m)).reshape(w0.dim(0), w0.dim(1));
            weights.put(modules.get(m), w0.add(delta));
        }
        return weights;
    }

    /** A scope in which the model computes with the merged weights for α; closing it restores the base. */
    public WeightSubstitution substitute(Tensor alphas, Granularity granularity) {
        return WeightSubstitution.of(base, mergedWeights(alphas, granularity));
    }

    /** The merged model's loss on {@code buffer} for weights α, in the current step's graph. */
    public Tensor loss(Tensor alphas, Granularity granularity, Buffer buffer) {
        try (var _ = substitute(alphas, granularity)) {
            return buffer.loss();
        }
    }

    /** Logits of the merged model's own forward for its inputs (images [batch, 784] for TinyViT). */
    public Tensor logits(Tensor alphas, Granularity granularity, Tensor images) {
        return WeightSubstitution.forward(base, mergedWeights(alphas, granularity), images);
    }

    /** Logits with the same weight for every adapter and module (fixed-coefficient merges). */
    public Tensor logits(double weight, Tensor images) {
        Tensor alphas = Tensor.full(dtype(), weight, adapters, 1);
        return logits(alphas, Granularity.ADAPTER, images);
    }
}
