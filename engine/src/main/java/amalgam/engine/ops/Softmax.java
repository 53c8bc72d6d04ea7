package amalgam.engine.ops;

import amalgam.engine.Function;
import amalgam.engine.Shapes;
import amalgam.engine.Tensor;

/**
 * Softmax and log-softmax along an axis, on the backend's fused row kernels. Any other axis than the last
 * is moved last with a transpose and back, so its gradient comes from the views' gradients.
 */
public final class Softmax {

    private Softmax() {}

    public static Tensor softmax(Tensor x, int axis) {
        int a = Shapes.axis(axis, x.rank());
        if (a != x.rank() - 1) return softmax(x.transpose(a, -1), -1).transpose(a, -1);
        return new Rows(false).forward(x);
    }

    public static Tensor logSoftmax(Tensor x, int axis) {
        int a = Shapes.axis(axis, x.rank());
        if (a != x.rank() - 1) return logSoftmax(x.transpose(a, -1), -1).transpose(a, -1);
        return new Rows(true).forward(x);
    }

    static final class Rows extends Function {
        private final boolean log;
        private Tensor out;

        Rows(boolean log) {
            this.log = log;
        }

        Tensor forward(Tensor x) {
            Tensor in = Compute.contiguous(x);
            out = Tensor.empty(x.dtype(), x.shape());
            int cols = x.rank() == 0 ? 1 : x.dim(-1);
            int rows = Math.toIntExact(x.numel() / Math.max(1, cols));
            if (log) x.backend().logSoftmaxRows(rows, cols, in.data(), in.offset(), out.data(), 0);
            else x.backend().softmaxRows(rows, cols, in.data(), in.offset(), out.data(), 0);
            return attach(out, x);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor dx = Tensor.empty(g.dtype(), g.shape());
            int cols = out.rank() == 0 ? 1 : out.dim(-1);
            int rows = Math.toIntExact(out.numel() / Math.max(1, cols));
            if (log) {
                g.backend().logSoftmaxBackwardRows(rows, cols, out.data(), 0, g.data(), g.offset(), dx.data(), 0);
            } else {
                g.backend().softmaxBackwardRows(rows, cols, out.data(), 0, g.data(), g.offset(), dx.data(), 0);
            }
            return new Tensor[] {dx};
        }
    }
}
