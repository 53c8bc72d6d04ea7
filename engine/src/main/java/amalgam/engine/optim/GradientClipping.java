package amalgam.engine.optim;

import amalgam.engine.Engine;
import amalgam.engine.Tensor;

import java.util.List;

/** Gradient clipping by global norm, as PyTorch's {@code clip_grad_norm_}. */
public final class GradientClipping {

    private GradientClipping() {}

    /**
     * Scales all gradients by min(1, maxNorm/(‖g‖ + 1e-6)), ‖g‖ the 2-norm of all of them together.
     * Returns ‖g‖ before clipping.
     */
    public static double clipGradNorm(List<Tensor> parameters, double maxNorm) {
        double squares = 0;
        try (var _ = Engine.noGrad(); var _ = Engine.step()) {
            for (Tensor p : parameters) if (p.grad() != null) squares += p.grad().square().sum().item();
        }
        double norm = Math.sqrt(squares);
        double factor = maxNorm / (norm + 1e-6);
        if (factor < 1) {
            for (Tensor p : parameters) if (p.grad() != null) InPlace.scale(p.grad(), factor);
        }
        return norm;
    }
}
