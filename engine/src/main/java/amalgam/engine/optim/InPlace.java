package amalgam.engine.optim;

import amalgam.engine.Tensor;
import amalgam.engine.ops.Compute;
import amalgam.kernels.BinaryOp;
import amalgam.kernels.UnaryOp;

/** In-place updates of contiguous tensors through the kernels, the vocabulary the optimisers are written in. */
final class InPlace {

    private InPlace() {}

    /** t ← c·t */
    static void scale(Tensor t, double c) {
        t.backend().affine(t.numel(), (float) c, 0f, t.data(), t.offset(), t.data(), t.offset());
    }

    /** t ← t + c·u */
    static void addScaled(Tensor t, double c, Tensor u) {
        Compute.binaryInto(BinaryOp.ADD, t, c == 1 ? u : Compute.affine(u, c, 0), t);
    }

    /** t ← c·t + d·u² (an exponential moving average of squares) */
    static void scaleAddSquare(Tensor t, double c, double d, Tensor u) {
        scale(t, c);
        addScaled(t, d, Compute.unary(UnaryOp.SQUARE, u));
    }
}
