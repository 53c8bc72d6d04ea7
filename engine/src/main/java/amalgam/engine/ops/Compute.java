package amalgam.engine.ops;

import amalgam.engine.DType;
import amalgam.engine.Shapes;
import amalgam.engine.Tensor;
import amalgam.kernels.Backend;
import amalgam.kernels.BinaryOp;
import amalgam.kernels.ReduceOp;
import amalgam.kernels.UnaryOp;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Graph-free computations on tensors, each one backend call (or a few): the building blocks that the
 * differentiable ops' forward and backward passes are made of. Outputs are new contiguous tensors.
 */
public final class Compute {

    private Compute() {}

    /** {@code x} itself when contiguous, else a contiguous copy. */
    public static Tensor contiguous(Tensor x) {
        return x.isContiguous() ? x : x.copyInto(Tensor.empty(x.dtype(), x.shape()));
    }

    /** The segment starting at t's first element (null for null): row kernels take parameter vectors so. */
    static MemorySegment at(Tensor t) {
        if (t == null) return null;
        return t.offset() == 0 ? t.data() : t.data().asSlice(t.offset() * t.dtype().bytes());
    }

    public static Tensor unary(UnaryOp op, Tensor x) {
        Tensor in = contiguous(x);
        Tensor out = Tensor.empty(x.dtype(), x.shape());
        x.backend().unary(op, out.numel(), in.data(), in.offset(), out.data(), 0);
        return out;
    }

    /** {@code scale · x + shift}. */
    public static Tensor affine(Tensor x, double scale, double shift) {
        if (x.dtype() == DType.F64 && (scale != (float) scale || shift != (float) shift)) {
            // The affine kernel takes float factors; F64 (gradient checks) must not round them.
            Tensor scaled = binary(BinaryOp.MUL, x, Tensor.scalar(DType.F64, scale).reshape());
            return shift == 0 ? scaled : binary(BinaryOp.ADD, scaled, Tensor.scalar(DType.F64, shift).reshape());
        }
        Tensor in = contiguous(x);
        Tensor out = Tensor.empty(x.dtype(), x.shape());
        x.backend().affine(out.numel(), (float) scale, (float) shift, in.data(), in.offset(), out.data(), 0);
        return out;
    }

    /** {@code op(a, b)} with broadcasting. */
    public static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        sameDType(a, b);
        Tensor out = Tensor.empty(a.dtype(), Shapes.broadcast(a.shape(), b.shape()));
        binaryInto(op, a, b, out);
        return out;
    }

    /** {@code out = op(a, b)}, a and b broadcast to out's shape; out (contiguous) may be a or b if contiguous. */
    public static void binaryInto(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        int[] shape = out.shape();
        out.backend().binary(op, shape,
                a.data(), a.offset(), Shapes.broadcastStrides(a.shape(), a.strides(), shape),
                b.data(), b.offset(), Shapes.broadcastStrides(b.shape(), b.strides(), shape),
                out.data(), out.offset());
    }

    /** {@code x} broadcast to {@code shape}, materialised. */
    public static Tensor expand(Tensor x, int[] shape) {
        Tensor out = Tensor.empty(x.dtype(), shape);
        x.backend().copyStrided(shape, x.data(), x.offset(), Shapes.broadcastStrides(x.shape(), x.strides(), shape),
                out.data(), 0);
        return out;
    }

    /**
     * Reduces the axes flagged in {@code reduced}, keeping them as size 1. Each run of adjacent reduced axes is
     * one kernel call on the [outer, axis, inner] view of the data, so the common cases are a single call.
     */
    public static Tensor reduce(ReduceOp op, Tensor x, boolean[] reduced) {
        Tensor current = contiguous(x);
        int[] shape = x.shape().clone();
        int rank = shape.length;
        int i = 0;
        while (i < rank) {
            if (!reduced[i] || shape[i] == 1) {
                i++;
                continue;
            }
            int j = i;
            while (j < rank && reduced[j]) j++;
            long outer = 1, axis = 1, inner = 1;
            for (int d = 0; d < i; d++) outer *= shape[d];
            for (int d = i; d < j; d++) axis *= shape[d];
            for (int d = j; d < rank; d++) inner *= shape[d];
            for (int d = i; d < j; d++) shape[d] = 1;
            Tensor out = Tensor.empty(x.dtype(), shape);
            x.backend().reduce(op, Math.toIntExact(outer), Math.toIntExact(axis), Math.toIntExact(inner),
                    current.data(), current.offset(), out.data(), 0);
            current = out;
            i = j;
        }
        return current;
    }

    /** Sums {@code g} over the axes along which a tensor of shape {@code target} was broadcast to g's shape. */
    public static Tensor sumTo(Tensor g, int[] target) {
        int[] shape = g.shape();
        if (Arrays.equals(shape, target)) return g;
        int shift = shape.length - target.length;
        if (shift < 0) throw new IllegalArgumentException("cannot sum " + Arrays.toString(shape) + " to "
                + Arrays.toString(target));
        boolean[] reduced = new boolean[shape.length];
        for (int i = 0; i < shape.length; i++) {
            reduced[i] = i < shift || (target[i - shift] == 1 && shape[i] != 1);
        }
        Tensor summed = reduce(ReduceOp.SUM, g, reduced);
        return summed.view(target.clone(), Shapes.contiguousStrides(target), summed.offset());
    }

    /**
     * Copies contiguous {@code src} into contiguous {@code dst} at position {@code start} along {@code axis}
     * (all other axes equal). The destination block is strided and the kernels only gather into contiguous
     * blocks, so this is one copy per index of the axes before {@code axis}: one call when axis is 0.
     */
    public static void place(Tensor src, Tensor dst, int axis, int start) {
        int[] s = src.shape();
        long outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= s[d];
        for (int d = axis + 1; d < s.length; d++) inner *= s[d];
        long block = s[axis] * inner, dstRow = dst.shape()[axis] * inner;
        Backend be = dst.backend();
        int[] blockShape = {Math.toIntExact(block)};
        long[] unit = {1};
        for (long o = 0; o < outer; o++) {
            be.copyStrided(blockShape, src.data(), src.offset() + o * block, unit,
                    dst.data(), dst.offset() + o * dstRow + start * inner);
        }
    }

    static void sameDType(Tensor a, Tensor b) {
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException("operands have different dtypes: " + a.dtype() + " and " + b.dtype());
        }
    }
}
