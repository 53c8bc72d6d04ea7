package amalgam.engine.optim;

import amalgam.engine.Engine;
import amalgam.engine.Tensor;

import java.util.List;

/**
 * Updates parameters in place from their gradients. Subclasses define {@link #update} for one parameter;
 * this class runs it outside the graph, in a step scope that frees the temporaries, and skips parameters
 * that received no gradient.
 */
public abstract class Optimizer {

    protected final List<Tensor> parameters;
    private double learningRate;
    private long steps;

    protected Optimizer(List<Tensor> parameters, double learningRate) {
        for (Tensor p : parameters) {
            if (!p.isContiguous()) throw new IllegalArgumentException("optimisers update contiguous parameters only");
        }
        this.parameters = List.copyOf(parameters);
        this.learningRate = learningRate;
    }

    public final double learningRate() {
        return learningRate;
    }

    /** Changes the learning rate for later steps (schedules call this between steps). */
    public final void setLearningRate(double learningRate) {
        this.learningRate = learningRate;
    }

    /** Applies one update to every parameter that has a gradient. */
    public final void step() {
        steps++;
        try (var _ = Engine.noGrad(); var _ = Engine.step()) {
            for (int i = 0; i < parameters.size(); i++) {
                Tensor p = parameters.get(i);
                if (p.grad() != null) update(i, p, p.grad(), steps);
            }
        }
    }

    /** Updates parameter {@code index} in place; {@code step} counts from 1. */
    protected abstract void update(int index, Tensor parameter, Tensor grad, long step);

    public final void zeroGrad() {
        for (Tensor p : parameters) p.zeroGrad();
    }

    /** A zero tensor shaped like {@code p} that outlives steps: per-parameter optimiser state. */
    protected static Tensor stateLike(Tensor p) {
        return Tensor.zeros(p.dtype(), p.shape()).toPersistent();
    }
}
