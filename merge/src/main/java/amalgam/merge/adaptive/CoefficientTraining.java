package amalgam.merge.adaptive;

import amalgam.engine.Engine;
import amalgam.engine.Tensor;
import amalgam.engine.optim.Adam;

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
        for (int step = 0; step < steps; step++) {
            try (var _ = Engine.step()) {
                adam.zeroGrad();
                Tensor loss = merge.loss(coefficients.weights(), granularity, buffer);
                loss.backward();
                last = loss.item();
                adam.step();
            }
            coefficients.clampIfAsked();
            if (listener != null) listener.stepDone(step, last);
        }
        return last;
    }

    /** The loss at the current coefficients, without a graph. */
    public static double loss(AdaptiveMerge merge, Coefficients coefficients, Buffer buffer) {
        try (var _ = Engine.noGrad(); var _ = Engine.step()) {
            return merge.loss(coefficients.weights(), coefficients.settings().granularity(), buffer).item();
        }
    }
}
