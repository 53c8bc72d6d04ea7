package amalgam.engine.optim;

import amalgam.engine.Tensor;

import java.util.List;

/**
 * Stochastic gradient descent with PyTorch's momentum (buffer b ← μ·b + (1 − dampening)·g, started at g),
 * optional Nesterov momentum, and L2 weight decay added to the gradient.
 */
public final class SGD extends Optimizer {

    private final double momentum, dampening, weightDecay;
    private final boolean nesterov;
    private final Tensor[] buffers;

    public SGD(List<Tensor> parameters, double lr, double momentum, double dampening, double weightDecay,
               boolean nesterov) {
        super(parameters, lr);
        this.momentum = momentum;
        this.dampening = dampening;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
        this.buffers = new Tensor[parameters.size()];
        if (momentum != 0) for (int i = 0; i < buffers.length; i++) buffers[i] = stateLike(parameters.get(i));
    }

    public SGD(List<Tensor> parameters, double lr, double momentum) {
        this(parameters, lr, momentum, 0, 0, false);
    }

    @Override
    protected void update(int index, Tensor p, Tensor grad, long step) {
        Tensor g = weightDecay == 0 ? grad : grad.add(p.mul(weightDecay));
        if (momentum != 0) {
            Tensor b = buffers[index];
            if (step == 1) {
                g.copyInto(b);
            } else {
                InPlace.scale(b, momentum);
                InPlace.addScaled(b, 1 - dampening, g);
            }
            g = nesterov ? g.add(b.mul(momentum)) : b;
        }
        InPlace.addScaled(p, -learningRate(), g);
    }
}
