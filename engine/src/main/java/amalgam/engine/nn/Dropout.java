package amalgam.engine.nn;

import amalgam.engine.Tensor;

import java.util.Random;

/** Inverted dropout while training (mask from a seeded generator), the identity in evaluation mode. */
public final class Dropout extends Module {

    private final double p;
    private final Random random;

    public Dropout(double p, long seed) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        this.p = p;
        this.random = new Random(seed);
    }

    @Override
    public Tensor forward(Tensor x) {
        return isTraining() ? amalgam.engine.ops.Dropout.dropout(x, p, random) : x;
    }
}
