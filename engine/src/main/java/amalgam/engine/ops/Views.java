package amalgam.engine.ops;

import amalgam.engine.Function;
import amalgam.engine.Shapes;
import amalgam.engine.Tensor;

import java.util.Arrays;

/** Ops that change only how storage is read: reshape, permute/transpose, slice, and contiguous. */
public final class Views {

    private Views() {}

    public static Tensor reshape(Tensor x, int... shape) {
        return new Reshape().forward(x, resolve(x, shape));
    }

    public static Tensor permute(Tensor x, int... order) {
        return new Permute().forward(x, order);
    }

    public static Tensor transpose(Tensor x, int a, int b) {
        int[] order = new int[x.rank()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        int i = Shapes.axis(a, x.rank()), j = Shapes.axis(b, x.rank());
        order[i] = j;
        order[j] = i;
        return permute(x, order);
    }

    public static Tensor slice(Tensor x, int axis, int start, int end) {
        return new Slice().forward(x, Shapes.axis(axis, x.rank()), start, end);
    }

    public static Tensor contiguous(Tensor x) {
        return x.isContiguous() ? x : new Contiguous().forward(x);
    }

    /** Fills in a −1 dimension and checks the element count. */
    private static int[] resolve(Tensor x, int[] shape) {
        int[] out = shape.clone();
        int free = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == -1 && free < 0) free = i;
            else known *= out[i];
        }
        if (free >= 0 && known > 0) out[free] = Math.toIntExact(x.numel() / known);
        if (Shapes.numel(out) != x.numel() || (free >= 0 && known == 0)) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(x.shape()) + " to "
                    + Arrays.toString(shape));
        }
        return out;
    }

    static final class Reshape extends Function {
        @Override
        protected boolean acceptsStridedGradient() {
            return true;
        }

        private int[] inShape;

        Tensor forward(Tensor x, int[] shape) {
            inShape = x.shape();
            long[] strides = viewStrides(x.shape(), x.strides(), shape);
            if (strides != null) return attach(x.view(shape, strides, x.offset()), x);
            Tensor copy = Compute.contiguous(x); // the layout cannot be read in the new shape: one copy
            return attach(copy.view(shape, Shapes.contiguousStrides(shape), copy.offset()), x);
        }

        /**
         * Strides that read x's elements in row-major order under the new shape, or null when none exist.
         * Runs of old axes that are contiguous with each other can be split and merged freely; this walks
         * those runs from the last axis and lays the new axes over them (the rule PyTorch's view uses).
         */
        private static long[] viewStrides(int[] oldShape, long[] oldStrides, int[] newShape) {
            if (Shapes.numel(oldShape) == 0 || oldShape.length == 0) return null;
            long[] newStrides = new long[newShape.length];
            int viewD = newShape.length - 1;
            long chunkBase = oldStrides[oldShape.length - 1], tensorNumel = 1, viewNumel = 1;
            for (int d = oldShape.length - 1; d >= 0; d--) {
                tensorNumel *= oldShape[d];
                boolean runEnds = d == 0 || (oldShape[d - 1] != 1 && oldStrides[d - 1] != tensorNumel * chunkBase);
                if (!runEnds) continue;
                while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1)) {
                    newStrides[viewD] = viewNumel * chunkBase;
                    viewNumel *= newShape[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) return null;
                if (d > 0) {
                    chunkBase = oldStrides[d - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
            return viewD == -1 ? newStrides : null;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g.reshape(inShape)};
        }
    }

    static final class Permute extends Function {
        @Override
        protected boolean acceptsStridedGradient() {
            return true;
        }

        private int[] inverse;

        Tensor forward(Tensor x, int[] order) {
            int rank = x.rank();
            if (order.length != rank) {
                throw new IllegalArgumentException("permutation " + Arrays.toString(order) + " for rank " + rank);
            }
            int[] shape = new int[rank];
            long[] strides = new long[rank];
            inverse = new int[rank];
            boolean[] seen = new boolean[rank];
            for (int i = 0; i < rank; i++) {
                int from = Shapes.axis(order[i], rank);
                if (seen[from]) throw new IllegalArgumentException("axis repeated in " + Arrays.toString(order));
                seen[from] = true;
                shape[i] = x.shape()[from];
                strides[i] = x.strides()[from];
                inverse[from] = i;
            }
            return attach(x.view(shape, strides, x.offset()), x);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g.permute(inverse)};
        }
    }

    static final class Slice extends Function {
        private int[] inShape;
        private int axis, start;

        Tensor forward(Tensor x, int axis, int start, int end) {
            int size = x.shape()[axis];
            if (start < 0 || end > size || start > end) {
                throw new IllegalArgumentException("slice [" + start + ", " + end + ") of axis " + axis + " in "
                        + Arrays.toString(x.shape()));
            }
            inShape = x.shape();
            this.axis = axis;
            this.start = start;
            int[] shape = x.shape().clone();
            shape[axis] = end - start;
            return attach(x.view(shape, x.strides(), x.offset() + start * x.strides()[axis]), x);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor full = Tensor.zeros(g.dtype(), inShape);
            Compute.place(g, full, axis, start);
            return new Tensor[] {full};
        }
    }

    static final class Contiguous extends Function {
        @Override
        protected boolean acceptsStridedGradient() {
            return true;
        }

        Tensor forward(Tensor x) {
            return attach(x.copyInto(Tensor.empty(x.dtype(), x.shape())), x);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g};
        }
    }
}
