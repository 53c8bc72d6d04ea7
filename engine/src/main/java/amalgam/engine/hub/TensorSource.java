package amalgam.engine.hub;

import amalgam.engine.Tensor;

import java.util.Optional;

/**
 * Where a model's definition gets its weights by checkpoint name: a {@link Checkpoint}, or a map of tensors in
 * tests. A definition asks for each tensor with the shape its config implies, so it is built once, from data.
 */
public interface TensorSource {

    boolean has(String name);

    /** Tensor {@code name}, which must have shape {@code expectedShape}; errors name the tensor. */
    Tensor load(String name, int... expectedShape);

    /** {@link #load} when the source has the tensor (optional biases, untied heads). */
    default Optional<Tensor> loadIfPresent(String name, int... expectedShape) {
        return has(name) ? Optional.of(load(name, expectedShape)) : Optional.empty();
    }
}
