package amalgam.merge.adaptive;

import amalgam.engine.Engine;
import amalgam.engine.Tensor;
import amalgam.engine.optim.Adam;

import java.util.List;

/**
 * Gradient tuning of merge coefficients: full-batch Adam on the memory buffer, differentiating the merged
 * model's loss through the merge. The base and the adapters are constants; only c (and β) move.
 */
public final class CoefficientTraining {

    /** Progress callback: called after each step with its index (from 0) and loss. */
    @FunctionalInterface
    public interface StepListener {
        void stepDone(int step, double loss);
    }

    private CoefficientTraining() {}

    /** Runs {@code steps} Adam steps on the whole buffer each; returns the loss of the last one. */
    public static double train(AdaptiveMerge merge, Coefficients coefficients, Buffer buffer,
                               int steps, double learningRate, StepListener listener) {
        Adam adam = Adam.adam(coefficients.trainable(), learningRate);
        Granularity granularity = coefficients.settings().granularity();
        double last = Double.NaN;
        List<Buffer> parts = buffer.parts();
        for (int step = 0; step < steps; step++) {
            try (var _ = Engine.step()) {
                adam.zeroGrad();
                last = lossAndGradient(merge, coefficients, parts);
                adam.step();
            }
            coefficients.clampIfAsked();
            if (listener != null) listener.stepDone(step, last);
        }
        return last;
    }

    /**
     * The buffer's loss at the current coefficients, with its gradient added into the coefficients' leaves: part
     * by part ({@link Buffer#parts}), each part's loss weighted by its share of the terms and back-propagated in
     * a step of its own, so one part's activations are held at a time. Equal to one backward of the whole
     * buffer's loss up to rounding.
     */
    public static double lossAndGradient(AdaptiveMerge merge, Coefficients coefficients, List<Buffer> parts) {
        double terms = parts.stream().mapToInt(Buffer::terms).sum();
        double loss = 0;
        for (Buffer part : parts) {
            try (var _ = Engine.step()) {
                double share = part.terms() / terms;
                Tensor partLoss = merge.loss(coefficients.weights(), coefficients.settings().granularity(), part);
                loss += share * partLoss.item();
                (parts.size() == 1 ? partLoss : partLoss.mul(share)).backward();
            }
        }
        return loss;
    }

    /** The loss at the current coefficients, without a graph. */
    public static double loss(AdaptiveMerge merge, Coefficients coefficients, Buffer buffer) {
        try (var _ = Engine.noGrad(); var _ = Engine.step()) {
            return loss(merge, coefficients.weights(), coefficients.settings().granularity(), buffer);
        }
    }

    /** The loss at weights {@code alphas}, without a graph, part by part as {@link #lossAndGradient} runs it. */
    public static double loss(AdaptiveMerge merge, Tensor alphas, Granularity granularity, Buffer buffer) {
        try (var _ = Engine.noGrad()) {
            List<Buffer> parts = buffer.parts();
            double terms = parts.stream().mapToInt(Buffer::terms).sum(), loss = 0;
            for (Buffer part : parts) {
                try (var _ = Engine.step()) {
                    loss += part.terms() / terms * merge.loss(alphas, granularity, part).item();
                }
            }
            return loss;
        }
    }
}
