package amalgam.engine.ops;

import amalgam.engine.Function;
import amalgam.engine.Shapes;
import amalgam.engine.Tensor;
import amalgam.kernels.Backend;
import amalgam.kernels.BinaryOp;

import java.util.Arrays;

/** Ops that assemble tensors from pieces: concat along an axis, index-select, and embedding lookup. */
public final class Joins {

    private Joins() {}

    public static Tensor concat(int axis, Tensor... parts) {
        if (parts.length == 0) throw new IllegalArgumentException("concat of no tensors");
        return new Concat().forward(Shapes.axis(axis, parts[0].rank()), parts);
    }

    public static Tensor indexSelect(Tensor x, int axis, int[] indices) {
        return new IndexSelect().forward(x, Shapes.axis(axis, x.rank()), indices);
    }

    /** Rows of {@code weight} (vocabulary × dim) at {@code indices}, shaped {@code indexShape} + [dim]. */
    public static Tensor embedding(Tensor weight, int[] indices, int... indexShape) {
        if (weight.rank() != 2) throw new IllegalArgumentException("embedding weight must be 2-D, got "
                + Arrays.toString(weight.shape()));
        int[] shape = Arrays.copyOf(indexShape, indexShape.length + 1);
        shape[indexShape.length] = weight.dim(1);
        return indexSelect(weight, 0, indices).reshape(shape);
    }

    static final class Concat extends Function {
        private int axis;
        private int[] starts;

        Tensor forward(int axis, Tensor[] parts) {
            this.axis = axis;
            int[] shape = parts[0].shape().clone();
            starts = new int[parts.length + 1];
            for (int i = 0; i < parts.length; i++) {
                int[] s = parts[i].shape();
                boolean fits = s.length == shape.length && parts[i].dtype() == parts[0].dtype();
                for (int d = 0; fits && d < s.length; d++) fits = d == axis || s[d] == shape[d];
                if (!fits) {
                    throw new IllegalArgumentException("concat along axis " + axis + ": part " + i + " has shape "
                            + Arrays.toString(s) + " " + parts[i].dtype() + ", part 0 has "
                            + Arrays.toString(shape) + " " + parts[0].dtype());
                }
                starts[i + 1] = starts[i] + s[axis];
            }
            shape[axis] = starts[parts.length];
            Tensor out = Tensor.empty(parts[0].dtype(), shape);
            for (int i = 0; i < parts.length; i++) Compute.place(Compute.contiguous(parts[i]), out, axis, starts[i]);
            return attachAll(out, parts);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor[] grads = new Tensor[starts.length - 1];
            for (int i = 0; i < grads.length; i++) {
                if (needsGrad(i)) grads[i] = g.slice(axis, starts[i], starts[i + 1]); // views: consumers copy if they must
            }
            return grads;
        }
    }

    /**
     * Gathers and scatters whole blocks (everything after the axis) one kernel call each: there is no gather
     * kernel, and a block per index is as few calls as the layout allows.
     */
    static final class IndexSelect extends Function {
        private int[] inShape, indices;
        private int axis;

        Tensor forward(Tensor x, int axis, int[] indices) {
            inShape = x.shape();
            this.axis = axis;
            this.indices = indices.clone();
            int size = inShape[axis];
            for (int i : indices) {
                if (i < 0 || i >= size) {
                    throw new IndexOutOfBoundsException("index " + i + " out of range for axis " + axis + " of size "
                            + size + " in " + Arrays.toString(inShape));
                }
            }
            int[] shape = inShape.clone();
            shape[axis] = indices.length;
            Tensor src = Compute.contiguous(x);
            Tensor out = Tensor.empty(x.dtype(), shape);
            long outer = outer(), inner = inner();
            int[] block = {Math.toIntExact(inner)};
            long[] unit = {1};
            Backend be = x.backend();
            for (long o = 0; o < outer; o++) {
                for (int j = 0; j < indices.length; j++) {
                    be.copyStrided(block, src.data(), src.offset() + (o * size + indices[j]) * inner, unit,
                            out.data(), (o * indices.length + j) * inner);
                }
            }
            return attach(out, x);
        }

        private long outer() {
            long outer = 1;
            for (int d = 0; d < axis; d++) outer *= inShape[d];
            return outer;
        }

        private long inner() {
            long inner = 1;
            for (int d = axis + 1; d < inShape.length; d++) inner *= inShape[d];
            return inner;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor dx = Tensor.zeros(g.dtype(), inShape);
            long outer = outer(), inner = inner();
            int size = inShape[axis];
            int[] block = {Math.toIntExact(inner)};
            long[] unit = {1};
            Backend be = g.backend();
            // Repeated indices add up, as the gradient of a gather must.
            for (long o = 0; o < outer; o++) {
                for (int j = 0; j < indices.length; j++) {
                    long at = (o * size + indices[j]) * inner;
                    be.binary(BinaryOp.ADD, block, dx.data(), at, unit,
                            g.data(), g.offset() + (o * indices.length + j) * inner, unit, dx.data(), at);
                }
            }
            return new Tensor[] {dx};
        }
    }
}
