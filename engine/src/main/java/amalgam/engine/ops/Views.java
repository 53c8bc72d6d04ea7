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
        private int[] inShape;

        Tensor forward(Tensor x, int[] shape) {
            inShape = x.shape();
            Tensor source = Compute.contiguous(x); // a view when already contiguous, else one copy
            return attach(source.view(shape, Shapes.contiguousStrides(shape), source.offset()), x);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g.reshape(inShape)};
        }
    }

    static final class Permute extends Function {
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
        Tensor forward(Tensor x) {
            return attach(x.copyInto(Tensor.empty(x.dtype(), x.shape())), x);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g};
        }
    }
}
