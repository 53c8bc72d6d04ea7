package amalgam.merge.adaptive;

import amalgam.engine.DType;
import amalgam.engine.Engine;
import amalgam.engine.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The learned merge coefficients: raw values c [adapters, groups] and, when the scale is learned, β. The weights
 * are α = activation(c, b) with b = 1 + (b_max − 1)·σ(β); with a fixed scale b = 1 + (b_max − 1)·σ(b_max), the
 * formula as the study prints it. Every α is a differentiable function of the leaves c and β.
 */
public final class Coefficients {

    private final CoefficientSettings settings;
    private final Tensor raw, beta, fixedScale;

    public Coefficients(CoefficientSettings settings, int adapters, int modules, DType dtype) {
        this.settings = settings;
        int groups = settings.granularity().groups(modules);
        this.raw = Tensor.full(dtype, settings.activation().initialCoefficient(), adapters, groups)
                .toPersistent().requiresGrad(true);
        this.beta = Tensor.zeros(dtype, 1).toPersistent().requiresGrad(settings.learnScale());
        double bMax = settings.bMax();
        this.fixedScale = Tensor.full(dtype, 1 + (bMax - 1) * sigmoid(bMax), 1).toPersistent();
    }

    public CoefficientSettings settings() {
        return settings;
    }

    /** c, [adapters, groups]. */
    public Tensor raw() {
        return raw;
    }

    /** β, [1] (not trained with a fixed scale). */
    public Tensor beta() {
        return beta;
    }

    /** The leaves an optimiser updates. */
    public List<Tensor> trainable() {
        List<Tensor> out = new ArrayList<>(List.of(raw));
        if (settings.learnScale()) out.add(beta);
        return out;
    }

    /** b as a tensor [1]. */
    public Tensor scale() {
        if (!settings.learnScale()) return fixedScale;
        return beta.sigmoid().mul(settings.bMax() - 1).add(1);
    }

    /** α [adapters, groups], in the graph. */
    public Tensor weights() {
        return settings.activation().apply(raw, scale());
    }

    /** α's current values, [adapter][group]. */
    public double[][] values() {
        try (var _ = Engine.noGrad(); var _ = Engine.step()) {
            Tensor w = weights();
            double[] flat = w.toDoubleArray();
            int groups = w.dim(1);
            double[][] out = new double[w.dim(0)][groups];
            for (int i = 0; i < out.length; i++) System.arraycopy(flat, i * groups, out[i], 0, groups);
            return out;
        }
    }

    /** AdaMerging's projection after each step: raw coefficients back into [0, 1] (activation none only). */
    void clampIfAsked() {
        if (!settings.clamp() || settings.activation() != CoefficientActivation.NONE) return;
        double[] values = raw.toDoubleArray();
        for (int i = 0; i < values.length; i++) values[i] = Math.min(1, Math.max(0, values[i]));
        try (var _ = Engine.noGrad(); var _ = Engine.step()) {
            Tensor.of(raw.dtype(), values, raw.shape().clone()).copyInto(raw);
        }
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}
