package amalgam.engine.ops;

import amalgam.engine.Function;
import amalgam.engine.Shapes;
import amalgam.engine.Tensor;
import amalgam.kernels.BinaryOp;
import amalgam.kernels.ReduceOp;

/**
 * Sum, mean and max along axes (optionally keeping them as size 1), and the broadcast pair: expand
 * (materialise a broadcast) and sumTo (its adjoint, which every broadcasting op's backward uses).
 */
public final class Reductions {

    private Reductions() {}

    public static Tensor sum(Tensor x, int[] axes, boolean keepDim) {
        return new Reduce(ReduceOp.SUM).forward(x, axes, keepDim);
    }

    public static Tensor mean(Tensor x, int[] axes, boolean keepDim) {
        return new Reduce(ReduceOp.MEAN).forward(x, axes, keepDim);
    }

    public static Tensor max(Tensor x, int axis, boolean keepDim) {
        return new Max().forward(x, axis, keepDim);
    }

    public static Tensor sumTo(Tensor x, int[] target) {
        return new SumTo().forward(x, target);
    }

    public static Tensor expand(Tensor x, int[] target) {
        return new Expand().forward(x, target);
    }

    private static boolean[] flags(int rank, int[] axes) {
        boolean[] reduced = new boolean[rank];
        for (int a : axes) reduced[Shapes.axis(a, rank)] = true;
        return reduced;
    }

    /** The result shape: reduced axes become 1, or disappear without keepDim. */
    private static int[] resultShape(int[] keptShape, boolean[] reduced, boolean keepDim) {
        if (keepDim) return keptShape;
        int rank = 0;
        for (boolean r : reduced) if (!r) rank++;
        int[] shape = new int[rank];
        for (int i = 0, j = 0; i < reduced.length; i++) if (!reduced[i]) shape[j++] = keptShape[i];
        return shape;
    }

    private static Tensor reshapeTo(Tensor t, int[] shape) {
        return t.view(shape, Shapes.contiguousStrides(shape), t.offset());
    }

    static final class Reduce extends Function {
        private final ReduceOp op;
        private int[] inShape, keptShape;
        private long count;

        Reduce(ReduceOp op) {
            this.op = op;
        }

        Tensor forward(Tensor x, int[] axes, boolean keepDim) {
            inShape = x.shape();
            boolean[] reduced = flags(x.rank(), axes);
            Tensor kept = Compute.reduce(op, x, reduced);
            keptShape = kept.shape();
            count = x.numel() / Math.max(1, kept.numel());
            return attach(reshapeTo(kept, resultShape(keptShape, reduced, keepDim)), x);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor spread = Compute.expand(reshapeTo(g, keptShape), inShape);
            return new Tensor[] {op == ReduceOp.MEAN ? Compute.affine(spread, 1.0 / count, 0) : spread};
        }
    }

    static final class Max extends Function {
        private Tensor x, kept;

        Tensor forward(Tensor x, int axis, boolean keepDim) {
            this.x = x;
            boolean[] reduced = flags(x.rank(), new int[] {axis});
            kept = Compute.reduce(ReduceOp.MAX, x, reduced);
            return attach(reshapeTo(kept, resultShape(kept.shape(), reduced, keepDim)), x);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            // The gradient goes to the maxima, split equally among ties (as torch.amax does).
            Tensor isMax = Compute.binary(BinaryOp.EQUAL, x, kept);
            boolean[] reduced = new boolean[x.rank()];
            for (int i = 0; i < reduced.length; i++) reduced[i] = kept.shape()[i] != x.shape()[i];
            Tensor ties = Compute.reduce(ReduceOp.SUM, isMax, reduced);
            Tensor share = Compute.binary(BinaryOp.DIV, reshapeTo(g, kept.shape()), ties);
            return new Tensor[] {Compute.binary(BinaryOp.MUL, isMax, share)};
        }
    }

    static final class SumTo extends Function {
        @Override
        protected boolean acceptsStridedGradient() {
            return true;
        }

        private int[] inShape;

        Tensor forward(Tensor x, int[] target) {
            inShape = x.shape();
            return attach(Compute.sumTo(x, target), x);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {Compute.expand(g, inShape)};
        }
    }

    static final class Expand extends Function {
        @Override
        protected boolean acceptsStridedGradient() {
            return true;
        }

        private int[] inShape;

        Tensor forward(Tensor x, int[] target) {
            inShape = x.shape();
            return attach(Compute.expand(x, target), x);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {Compute.sumTo(g, inShape)};
        }
    }
}
