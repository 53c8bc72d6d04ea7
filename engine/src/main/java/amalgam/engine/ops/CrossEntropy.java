package amalgam.engine.ops;

import amalgam.engine.Function;
import amalgam.engine.Tensor;
import amalgam.kernels.Precision;
import amalgam.kernels.UnaryOp;

import java.util.Arrays;

/**
 * Cross-entropy between logits (batch × classes) and class indices, fused with its log-softmax:
 * loss_i = −log softmax(x_i)[t_i], reduced by mean or sum. The backward is softmax − one-hot.
 *
 * <p>A target of {@link #IGNORE} (PyTorch's {@code ignore_index}) leaves its row out: it adds nothing to the
 * loss, gets no gradient, and the mean is over the other rows (NaN when none is left, as in PyTorch). Language
 * modelling uses it for padding and for prompt tokens whose prediction is not trained.
 */
public final class CrossEntropy {

    /** How per-example losses combine, as PyTorch's {@code reduction}. */
    public enum Reduction { MEAN, SUM }

    /** The target of a row that takes no part in the loss: PyTorch's default {@code ignore_index}. */
    public static final int IGNORE = -100;

    private CrossEntropy() {}

    public static Tensor crossEntropy(Tensor logits, int[] targets, Reduction reduction) {
        return new Loss(reduction).forward(logits, targets);
    }

    public static Tensor crossEntropy(Tensor logits, int[] targets) {
        return crossEntropy(logits, targets, Reduction.MEAN);
    }

    static final class Loss extends Function {
        private final Reduction reduction;
        private Tensor logProbs;
        private int[] targets;
        private int counted; // rows whose target is not IGNORE

        Loss(Reduction reduction) {
            this.reduction = reduction;
        }

        Tensor forward(Tensor logits, int[] targets) {
            if (logits.rank() != 2 || logits.dim(0) != targets.length) {
                throw new IllegalArgumentException("cross-entropy needs logits [batch, classes] and one target per "
                        + "row, got " + Arrays.toString(logits.shape()) + " and " + targets.length + " targets");
            }
            int rows = logits.dim(0), cols = logits.dim(1);
            int counted = 0;
            for (int t : targets) {
                if (t == IGNORE) continue;
                if (t < 0 || t >= cols) throw new IndexOutOfBoundsException("target class " + t + " not in [0, " + cols + ")");
                counted++;
            }
            this.counted = counted;
            this.targets = targets.clone();
            Tensor in = Compute.contiguous(logits);
            logProbs = Tensor.empty(logits.dtype(), logits.shape());
            logits.backend().logSoftmaxRows(rows, cols, in.data(), in.offset(), logProbs.data(), 0);
            // Picking one element per row is a gather no kernel offers; it is one read per row.
            Precision p = logits.dtype().precision();
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                if (targets[r] != IGNORE) sum -= p.get(logProbs.data(), (long) r * cols + targets[r]);
            }
            double loss = reduction == Reduction.MEAN ? sum / counted : sum;
            return attach(Tensor.scalar(logits.dtype(), loss).reshape(), logits);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            if (logProbs == null) throw new IllegalStateException("cross-entropy's backward ran twice");
            // softmax = exp(log-softmax), computed in the log-probabilities' own storage: a language model's
            // logits are [tokens, vocabulary], and the backward runs once, so no second copy of that size.
            int rows = logProbs.dim(0), cols = logProbs.dim(1);
            Tensor dx = logProbs;
            logProbs = null;
            dx.backend().unary(UnaryOp.EXP, dx.numel(), dx.data(), 0, dx.data(), 0);
            Precision p = dx.dtype().precision();
            for (int r = 0; r < rows; r++) { // subtract the one-hot: one write per row
                if (targets[r] == IGNORE) {
                    long bytes = (long) cols * dx.dtype().bytes();
                    dx.data().asSlice(r * bytes, bytes).fill((byte) 0); // 0.0 in every float format
                    continue;
                }
                long at = (long) r * cols + targets[r];
                p.set(dx.data(), at, p.get(dx.data(), at) - 1.0);
            }
            double scale = g.item() / (reduction == Reduction.MEAN ? counted : 1);
            if (dx.dtype() != amalgam.engine.DType.F32) return new Tensor[] {Compute.affine(dx, scale, 0)};
            dx.backend().affine(dx.numel(), (float) scale, 0f, dx.data(), 0, dx.data(), 0);
            return new Tensor[] {dx};
        }
    }
}
