package amalgam.engine.ops;

import amalgam.engine.Function;
import amalgam.engine.Tensor;
import amalgam.kernels.BinaryOp;
import amalgam.kernels.UnaryOp;

/** Elementwise functions of one tensor: exp, log, sqrt, square, tanh, sigmoid, relu, silu, gelu. */
public final class Pointwise {

    private Pointwise() {}

    public static Tensor exp(Tensor x) {
        return new Exp().forward(x);
    }

    public static Tensor log(Tensor x) {
        return new Log().forward(x);
    }

    public static Tensor sqrt(Tensor x) {
        return new Sqrt().forward(x);
    }

    public static Tensor square(Tensor x) {
        return new Square().forward(x);
    }

    public static Tensor tanh(Tensor x) {
        return new Tanh().forward(x);
    }

    public static Tensor sigmoid(Tensor x) {
        return new Sigmoid().forward(x);
    }

    public static Tensor relu(Tensor x) {
        return new Relu().forward(x);
    }

    /** x·σ(x), the SiLU (swish) of Llama's MLP. */
    public static Tensor silu(Tensor x) {
        return new Activation(UnaryOp.SILU, UnaryOp.SILU_DERIVATIVE).forward(x);
    }

    /** The twin of {@link #silu} composed from mul and sigmoid, which FusedVersusComposedTest holds it to. */
    static Tensor composedSilu(Tensor x) {
        return x.mul(x.sigmoid());
    }

    public static Tensor gelu(Tensor x) {
        return new Activation(UnaryOp.GELU_ERF, UnaryOp.GELU_ERF_DERIVATIVE).forward(x);
    }

    public static Tensor geluTanh(Tensor x) {
        return new Activation(UnaryOp.GELU_TANH, UnaryOp.GELU_TANH_DERIVATIVE).forward(x);
    }

    static final class Exp extends Function {
        private Tensor out;

        Tensor forward(Tensor x) {
            out = Compute.unary(UnaryOp.EXP, x);
            return attach(out, x);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g.mul(out)};
        }
    }

    static final class Log extends Function {
        private Tensor x;

        Tensor forward(Tensor x) {
            this.x = x;
            return attach(Compute.unary(UnaryOp.LOG, x), x);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g.div(x)};
        }
    }

    static final class Sqrt extends Function {
        private Tensor out;

        Tensor forward(Tensor x) {
            out = Compute.unary(UnaryOp.SQRT, x);
            return attach(out, x);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g.div(out).mul(0.5)};
        }
    }

    static final class Square extends Function {
        private Tensor x;

        Tensor forward(Tensor x) {
            this.x = x;
            return attach(Compute.unary(UnaryOp.SQUARE, x), x);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g.mul(x).mul(2)};
        }
    }

    static final class Tanh extends Function {
        private Tensor out;

        Tensor forward(Tensor x) {
            out = Compute.unary(UnaryOp.TANH, x);
            return attach(out, x);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor slope = Compute.affine(Compute.unary(UnaryOp.SQUARE, out), -1, 1); // 1 − tanh²
            return new Tensor[] {g.mul(slope)};
        }
    }

    static final class Sigmoid extends Function {
        private Tensor out;

        Tensor forward(Tensor x) {
            out = Compute.unary(UnaryOp.SIGMOID, x);
            return attach(out, x);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor slope = Compute.affine(out, -1, 1).mul(out); // σ(1 − σ)
            return new Tensor[] {g.mul(slope)};
        }
    }

    static final class Relu extends Function {
        private Tensor x;

        Tensor forward(Tensor x) {
            this.x = x;
            return attach(Compute.unary(UnaryOp.RELU, x), x);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {Compute.binary(BinaryOp.RELU_BACKWARD, x, g)};
        }
    }

    /** An activation whose derivative is a unary op of its input too (GELU, SiLU). */
    static final class Activation extends Function {
        private final UnaryOp function, derivative;
        private Tensor x;

        Activation(UnaryOp function, UnaryOp derivative) {
            this.function = function;
            this.derivative = derivative;
        }

        Tensor forward(Tensor x) {
            this.x = x;
            return attach(Compute.unary(function, x), x);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g.mul(Compute.unary(derivative, x))};
        }
    }
}
