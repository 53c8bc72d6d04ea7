package amalgam.engine.ops;

import amalgam.engine.Tensor;
import amalgam.kernels.Precision;

import java.util.Random;

/**
 * Inverted dropout: each element is zeroed with probability p and the survivors scaled by 1/(1 − p), so the
 * expected value is unchanged. Composed as x · mask, so its gradient is the mask's; the mask comes from the
 * caller's seeded {@link Random} (there is no random-number kernel, so it is drawn here element by element).
 */
public final class Dropout {

    private Dropout() {}

    public static Tensor dropout(Tensor x, double p, Random random) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        if (p == 0) return x;
        return x.mul(mask(x, p, random));
    }

    /** The scaled keep-mask dropout multiplies by: 0 or 1/(1 − p) per element of x's shape. */
    public static Tensor mask(Tensor x, double p, Random random) {
        Tensor mask = Tensor.empty(x.dtype(), x.shape());
        Precision precision = x.dtype().precision();
        double keep = 1.0 / (1.0 - p);
        for (long i = 0; i < mask.numel(); i++) precision.set(mask.data(), i, random.nextDouble() < p ? 0.0 : keep);
        return mask;
    }
}
