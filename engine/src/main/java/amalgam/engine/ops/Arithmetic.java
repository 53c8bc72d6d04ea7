package amalgam.engine.ops;

import amalgam.engine.Function;
import amalgam.engine.Tensor;
import amalgam.kernels.BinaryOp;

/** Add, subtract, multiply and divide with broadcasting, and the scalar affine map {@code c·x + d}. */
public final class Arithmetic {

    private Arithmetic() {}

    public static Tensor add(Tensor a, Tensor b) {
        return new Add().forward(a, b);
    }

    public static Tensor sub(Tensor a, Tensor b) {
        return new Sub().forward(a, b);
    }

    public static Tensor mul(Tensor a, Tensor b) {
        return new Mul().forward(a, b);
    }

    public static Tensor div(Tensor a, Tensor b) {
        return new Div().forward(a, b);
    }

    /** {@code scale · x + shift} for scalars scale and shift: neg, scalar add/sub/mul/div. */
    public static Tensor affine(Tensor x, double scale, double shift) {
        return new Affine(scale).forward(x, shift);
    }

    // Broadcast operands receive the gradient summed over the axes they were stretched along (sumTo).

    static final class Add extends Function {
        @Override
        protected boolean acceptsStridedGradient() {
            return true;
        }

        private int[] aShape, bShape;

        Tensor forward(Tensor a, Tensor b) {
            aShape = a.shape();
            bShape = b.shape();
            return attach(Compute.binary(BinaryOp.ADD, a, b), a, b);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {needsGrad(0) ? g.sumTo(aShape) : null, needsGrad(1) ? g.sumTo(bShape) : null};
        }
    }

    static final class Sub extends Function {
        @Override
        protected boolean acceptsStridedGradient() {
            return true;
        }

        private int[] aShape, bShape;

        Tensor forward(Tensor a, Tensor b) {
            aShape = a.shape();
            bShape = b.shape();
            return attach(Compute.binary(BinaryOp.SUB, a, b), a, b);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {needsGrad(0) ? g.sumTo(aShape) : null, needsGrad(1) ? g.sumTo(bShape).neg() : null};
        }
    }

    static final class Mul extends Function {
        @Override
        protected boolean acceptsStridedGradient() {
            return true;
        }

        private Tensor a, b;

        Tensor forward(Tensor a, Tensor b) {
            this.a = a;
            this.b = b;
            return attach(Compute.binary(BinaryOp.MUL, a, b), a, b);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {
                    needsGrad(0) ? g.mul(b).sumTo(a.shape()) : null,
                    needsGrad(1) ? g.mul(a).sumTo(b.shape()) : null};
        }
    }

    static final class Div extends Function {
        @Override
        protected boolean acceptsStridedGradient() {
            return true;
        }

        private Tensor a, b, out;

        Tensor forward(Tensor a, Tensor b) {
            this.a = a;
            this.b = b;
            out = Compute.binary(BinaryOp.DIV, a, b);
            return attach(out, a, b);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor gOverB = g.div(b); // d(a/b)/da = 1/b;  d(a/b)/db = −(a/b)/b
            return new Tensor[] {
                    needsGrad(0) ? gOverB.sumTo(a.shape()) : null,
                    needsGrad(1) ? gOverB.mul(out).sumTo(b.shape()).neg() : null};
        }
    }

    static final class Affine extends Function {
        @Override
        protected boolean acceptsStridedGradient() {
            return true;
        }

        private final double scale;

        Affine(double scale) {
            this.scale = scale;
        }

        Tensor forward(Tensor x, double shift) {
            return attach(Compute.affine(x, scale, shift), x);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {Compute.affine(g, scale, 0)};
        }
    }
}
