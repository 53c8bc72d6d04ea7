package amalgam.merge.adaptive;

import amalgam.engine.DType;
import amalgam.engine.Engine;
import amalgam.engine.Tensor;

/**
 * Gradient-free tuning of merge weights (LoraHub): {@link LoraHubSearch} over the weights α themselves, one per
 * adapter (or per adapter and module), each evaluation one graph-free forward pass of the merged model over the
 * buffer.
 */
public final class LoraHubTuning {

    private LoraHubTuning() {}

    /** The best weights [adapters][groups] found within the search's 40 evaluations, and their objective. */
    public static LoraHubSearch.Result tune(AdaptiveMerge merge, Granularity granularity, Buffer buffer, long seed) {
        int adapters = merge.adapterCount(), groups = granularity.groups(merge.modules().size());
        return LoraHubSearch.search(adapters * groups, w -> loss(merge, granularity, buffer, w, groups), seed);
    }

    /** The objective at weights {@code w} (row-major [adapters, groups]), without a graph. */
    public static double loss(AdaptiveMerge merge, Granularity granularity, Buffer buffer, double[] w, int groups) {
        try (var _ = Engine.noGrad(); var _ = Engine.step()) {
            Tensor alphas = Tensor.of(merge.dtype() == DType.F64 ? DType.F64 : DType.F32, w, w.length / groups, groups);
            return CoefficientTraining.loss(merge, alphas, granularity, buffer);
        }
    }
}
