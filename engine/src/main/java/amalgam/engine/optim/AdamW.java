package amalgam.engine.optim;

import amalgam.engine.Tensor;

import java.util.List;

/** Adam with decoupled weight decay (PyTorch's {@code torch.optim.AdamW}; default decay 0.01). */
public final class AdamW extends Adam {

    public AdamW(List<Tensor> parameters, double lr, double beta1, double beta2, double eps, double weightDecay) {
        super(parameters, lr, beta1, beta2, eps, weightDecay, true);
    }

    public AdamW(List<Tensor> parameters, double lr) {
        this(parameters, lr, 0.9, 0.999, 1e-8, 0.01);
    }
}
