package amalgam.engine.nn;

import amalgam.engine.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A scope in which named Linear layers of a model compute with given weights instead of their own: tensors
 * built in the graph (W0 + Σ αᵢ·Dᵢ for learned merge coefficients, W0 + s·B·A), so gradients reach whatever
 * they were computed from. The model's own forward runs unchanged; closing the scope restores the weights in
 * force before (scopes nest). A model in a scope must not be used from another thread.
 *
 * <pre>{@code
 * try (var _ = WeightSubstitution.of(model, Map.of("blocks.0.attn.qkv", merged))) {
 *     logits = model.forward(images);
 * }
 * }</pre>
 */
public final class WeightSubstitution implements AutoCloseable {

    private final List<Runnable> restorers = new ArrayList<>();

    private WeightSubstitution() {}

    /** {@code weights} maps a Linear module's name (as {@link Module#namedModules} gives it) to its weight [out, in]. */
    public static WeightSubstitution of(Module model, Map<String, Tensor> weights) {
        Map<String, Module> modules = model.namedModules();
        WeightSubstitution scope = new WeightSubstitution();
        try {
            weights.forEach((name, w) -> {
                if (!(modules.get(name) instanceof Linear linear)) {
                    throw new IllegalArgumentException(name + " is not a Linear module of the model");
                }
                if (!Arrays.equals(w.shape(), linear.weight().shape())) {
                    throw new IllegalArgumentException("a weight of shape " + Arrays.toString(w.shape())
                            + " cannot stand in for " + name + ".weight " + Arrays.toString(linear.weight().shape()));
                }
                scope.restorers.add(linear.substitute(w));
            });
        } catch (RuntimeException e) {
            scope.close();
            throw e;
        }
        return scope;
    }

    /** {@code model.forward(x)} with {@code weights} substituted. */
    public static Tensor forward(Module model, Map<String, Tensor> weights, Tensor x) {
        try (var _ = of(model, weights)) {
            return model.forward(x);
        }
    }

    @Override
    public void close() {
        for (int i = restorers.size() - 1; i >= 0; i--) restorers.get(i).run();
        restorers.clear();
    }
}
