package amalgam.engine.ops;

import amalgam.engine.Function;
import amalgam.engine.Shapes;
import amalgam.engine.Tensor;

import java.util.Arrays;

/**
 * Matrix product of the last two axes, batched over the leading axes with broadcasting. Operands go to
 * the GEMM kernel as they lie: a transposed view becomes a transpose flag, not a copy, and a batch of rows
 * times one matrix (x · Wᵀ in a Linear layer) becomes a single large GEMM.
 */
public final class MatMul {

    private MatMul() {}

    public static Tensor matmul(Tensor a, Tensor b) {
        return new Product().forward(a, b);
    }

    static final class Product extends Function {
        private Tensor a, b;

        Tensor forward(Tensor a, Tensor b) {
            this.a = a;
            this.b = b;
            return attach(compute(a, b), a, b);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor ga = null, gb = null;
            if (needsGrad(0)) {
                // An operand that is a transposed view (kᵀ in attention) gets its gradient in the same
                // layout, computed as (g·bᵀ)ᵀ = b·gᵀ, so undoing the transpose costs no copy.
                ga = isTransposedView(a) ? compute(b, g.mT()).mT().sumTo(a.shape()) : compute(g, b.mT()).sumTo(a.shape());
            }
            if (needsGrad(1)) {
                if (b.rank() == 2 && a.rank() > 2) {
                    // Σ over the batch of aᵢᵀ·gᵢ is one GEMM on the batch stacked into rows.
                    gb = compute(a.reshape(-1, a.dim(-1)).mT(), g.reshape(-1, g.dim(-1)));
                } else if (isTransposedView(b)) {
                    gb = compute(g.mT(), a).mT().sumTo(b.shape());
                } else {
                    gb = compute(a.mT(), g).sumTo(b.shape());
                }
            }
            return new Tensor[] {ga, gb};
        }

        private static boolean isTransposedView(Tensor t) {
            return !t.isContiguous() && t.mT().isContiguous();
        }
    }

    /** How a matrix (the last two axes of a tensor) lies in memory, in GEMM's terms. */
    private record Layout(boolean transposed, int ld) {

        /** The layout of t's matrices, or null when they are neither row- nor column-major. */
        static Layout of(Tensor t) {
            int rows = t.dim(-2), cols = t.dim(-1);
            long rs = t.strides()[t.rank() - 2], cs = t.strides()[t.rank() - 1];
            if (cols == 1 || cs == 1) {
                long ld = rows == 1 ? Math.max(1, cols) : rs;
                if (ld >= Math.max(1, cols)) return new Layout(false, Math.toIntExact(ld));
            }
            if (rows == 1 || rs == 1) {
                long ld = cols == 1 ? Math.max(1, rows) : cs;
                if (ld >= Math.max(1, rows)) return new Layout(true, Math.toIntExact(ld));
            }
            return null;
        }
    }

    /** The product as a new tensor, outside the graph. */
    static Tensor compute(Tensor a, Tensor b) {
        Compute.sameDType(a, b);
        if (a.rank() < 2 || b.rank() < 2) {
            throw new IllegalArgumentException("matmul needs operands of rank ≥ 2, got " + Arrays.toString(a.shape())
                    + " and " + Arrays.toString(b.shape()) + "; reshape vectors to 1×n or n×1");
        }
        int m = a.dim(-2), k = a.dim(-1), n = b.dim(-1);
        if (b.dim(-2) != k) {
            throw new IllegalArgumentException("matmul: inner dimensions differ in " + Arrays.toString(a.shape())
                    + " · " + Arrays.toString(b.shape()));
        }
        int[] aBatch = Arrays.copyOf(a.shape(), a.rank() - 2), bBatch = Arrays.copyOf(b.shape(), b.rank() - 2);
        int[] batch = Shapes.broadcast(aBatch, bBatch);
        int[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        Tensor out = Tensor.empty(a.dtype(), outShape);
        int count = Math.toIntExact(Shapes.numel(batch));
        if (count == 0 || m == 0 || n == 0) return out;

        Layout lb = Layout.of(b);
        if (lb == null) lb = Layout.of(b = Compute.contiguous(b));
        if (Shapes.numel(bBatch) == 1 && Shapes.numel(aBatch) == count) {
            long rowStride = stackedRowStride(a);
            if (rowStride > 0) { // one GEMM over all rows of all batch elements
                int rows = Math.toIntExact((long) count * m);
                a.backend().gemm(false, lb.transposed(), rows, n, k, 1f, a.data(), a.offset(),
                        Math.toIntExact(rowStride),
                        b.data(), b.offset(), lb.ld(), 0f, out.data(), 0, n);
                return out;
            }
        }
        Layout la = Layout.of(a);
        if (la == null) la = Layout.of(a = Compute.contiguous(a));
        long sa = batchStride(a, batch), sb = batchStride(b, batch);
        if (sa < 0) {
            a = Compute.expand(a, withMatrix(batch, m, k));
            la = Layout.of(a);
            sa = (long) m * k;
        }
        if (sb < 0) {
            b = Compute.expand(b, withMatrix(batch, k, n));
            lb = Layout.of(b);
            sb = (long) k * n;
        }
        a.backend().gemmBatched(la.transposed(), lb.transposed(), m, n, k, 1f,
                a.data(), a.offset(), la.ld(), sa, b.data(), b.offset(), lb.ld(), sb,
                0f, out.data(), 0, n, (long) m * n, count);
        return out;
    }

    /**
     * If t's batch axes and rows form one evenly strided run of unit-stride rows, that row stride; else −1.
     */
    private static long stackedRowStride(Tensor t) {
        int k = t.dim(-1);
        if (k != 1 && t.strides()[t.rank() - 1] != 1) return -1;
        int[] rowAxes = Arrays.copyOf(t.shape(), t.rank() - 1);
        if (Shapes.numel(rowAxes) == 1) return Math.max(1, k);
        long s = uniformStride(rowAxes, Arrays.copyOf(t.strides(), t.rank() - 1));
        return s >= Math.max(1, k) ? s : -1;
    }

    /** The single stride between consecutive batch elements of t broadcast to {@code batch}, or −1. */
    private static long batchStride(Tensor t, int[] batch) {
        int[] own = Arrays.copyOf(t.shape(), t.rank() - 2);
        long[] strides = Shapes.broadcastStrides(own, Arrays.copyOf(t.strides(), t.rank() - 2), batch);
        return uniformStride(batch, strides);
    }

    /** The stride s with element i of the flattened axes at i·s (0 when all broadcast), or −1 if none. */
    private static long uniformStride(int[] shape, long[] strides) {
        long stride = -1, span = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 1) continue;
            if (stride < 0) stride = strides[d];
            else if (strides[d] != stride * span) return -1;
            span *= shape[d];
        }
        return stride < 0 ? 0 : stride;
    }

    private static int[] withMatrix(int[] batch, int rows, int cols) {
        int[] shape = Arrays.copyOf(batch, batch.length + 2);
        shape[batch.length] = rows;
        shape[batch.length + 1] = cols;
        return shape;
    }
}
