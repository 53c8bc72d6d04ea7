package amalgam.engine.nn;

import amalgam.engine.Tensor;

import java.util.function.UnaryOperator;

/** A parameter-free elementwise layer (ReLU, GELU, tanh, ...) for use in {@link Sequential}. */
public final class Activation extends Module {

    private final UnaryOperator<Tensor> function;

    private Activation(UnaryOperator<Tensor> function) {
        this.function = function;
    }

    public static Activation relu() {
        return new Activation(Tensor::relu);
    }

    public static Activation gelu() {
        return new Activation(Tensor::gelu);
    }

    public static Activation tanh() {
        return new Activation(Tensor::tanh);
    }

    @Override
    public Tensor forward(Tensor x) {
        return function.apply(x);
    }
}
