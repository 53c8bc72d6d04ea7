package amalgam.engine.optim;

/**
 * Cosine learning-rate decay with linear warm-up: lr rises from 0 to peak over the warm-up steps, then
 * falls along half a cosine to 0 at the last step.
 */
public record CosineSchedule(double peak, int warmupSteps, int totalSteps) {

    public CosineSchedule {
        if (totalSteps <= warmupSteps || warmupSteps < 0) {
            throw new IllegalArgumentException("need 0 ≤ warm-up steps < total steps, got " + warmupSteps + " and " + totalSteps);
        }
    }

    /** The learning rate for step {@code step} (counted from 0). */
    public double at(int step) {
        if (step < warmupSteps) return peak * (step + 1) / warmupSteps;
        double progress = Math.min(1.0, (double) (step - warmupSteps) / (totalSteps - warmupSteps));
        return peak * 0.5 * (1 + Math.cos(Math.PI * progress));
    }

    /** Sets the optimiser's learning rate for step {@code step}. */
    public void apply(Optimizer optimizer, int step) {
        optimizer.setLearningRate(at(step));
    }
}
