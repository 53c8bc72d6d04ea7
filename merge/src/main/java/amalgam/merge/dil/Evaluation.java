package amalgam.merge.dil;

import amalgam.engine.Engine;
import amalgam.engine.Tensor;
import amalgam.engine.nn.Accuracy;
import amalgam.engine.nn.Module;
import amalgam.engine.nn.WeightSubstitution;

import java.util.LinkedHashMap;
import java.util.Map;

/** Test accuracy of a TinyViT with some Linear weights replaced, in batches that bound memory. */
final class Evaluation {

    private static final int BATCH = 500;

    private Evaluation() {}

    /** Percent correct on the domain's test images. */
    static double accuracy(Module base, Map<String, Tensor> weights, DomainData domain) {
        int n = domain.test().size(), correct = 0;
        for (int start = 0; start < n; start += BATCH) {
            int[] batch = new int[Math.min(BATCH, n - start)];
            for (int j = 0; j < batch.length; j++) batch[j] = start + j;
            try (var _ = Engine.noGrad(); var _ = Engine.step()) {
                Tensor logits = WeightSubstitution.forward(base, weights, domain.test().images(batch));
                correct += (int) Math.round(Accuracy.of(logits, domain.test().labels(batch)) * batch.length);
            }
        }
        return 100.0 * correct / n;
    }

    /** Materialises graph-building weights (merged, or W0 + s·B·A) as persistent tensors for evaluation. */
    static Map<String, Tensor> frozen(java.util.function.Supplier<Map<String, Tensor>> weights) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (var _ = Engine.noGrad(); var _ = Engine.step()) {
            weights.get().forEach((m, w) -> out.put(m, w.toPersistent()));
        }
        return out;
    }
}
