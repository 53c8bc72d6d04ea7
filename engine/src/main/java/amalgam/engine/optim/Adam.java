package amalgam.engine.optim;

import amalgam.engine.Tensor;
import amalgam.engine.ops.Compute;
import amalgam.kernels.BinaryOp;
import amalgam.kernels.UnaryOp;

import java.util.List;

/**
 * Adam and AdamW as PyTorch defines them: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
 * p ← p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε). Adam adds weight decay to the gradient (L2);
 * AdamW instead shrinks the parameter, p ← p·(1 − lr·λ), before the step (decoupled decay).
 */
public class Adam extends Optimizer {

    private final double beta1, beta2, eps, weightDecay;
    private final boolean decoupled;
    private final Tensor[] m, v;

    protected Adam(List<Tensor> parameters, double lr, double beta1, double beta2, double eps, double weightDecay,
                   boolean decoupled) {
        super(parameters, lr);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
        this.m = new Tensor[parameters.size()];
        this.v = new Tensor[parameters.size()];
        for (int i = 0; i < m.length; i++) {
            m[i] = stateLike(parameters.get(i));
            v[i] = stateLike(parameters.get(i));
        }
    }

    /** Adam with L2 weight decay added to the gradient (PyTorch's {@code torch.optim.Adam}). */
    public static Adam adam(List<Tensor> parameters, double lr, double beta1, double beta2, double eps,
                            double weightDecay) {
        return new Adam(parameters, lr, beta1, beta2, eps, weightDecay, false);
    }

    public static Adam adam(List<Tensor> parameters, double lr) {
        return adam(parameters, lr, 0.9, 0.999, 1e-8, 0);
    }

    @Override
    protected void update(int index, Tensor p, Tensor grad, long step) {
        Tensor g = grad;
        if (weightDecay != 0) {
            if (decoupled) InPlace.scale(p, 1 - learningRate() * weightDecay);
            else g = grad.add(p.mul(weightDecay));
        }
        InPlace.scale(m[index], beta1);
        InPlace.addScaled(m[index], 1 - beta1, g);
        InPlace.scaleAddSquare(v[index], beta2, 1 - beta2, g);
        double bias1 = 1 - Math.pow(beta1, step), bias2 = 1 - Math.pow(beta2, step);
        Tensor denominator = Compute.affine(Compute.unary(UnaryOp.SQRT, v[index]), 1 / Math.sqrt(bias2), eps);
        InPlace.addScaled(p, -learningRate() / bias1, Compute.binary(BinaryOp.DIV, m[index], denominator));
    }
}
