package amalgam.engine.nn;

import amalgam.engine.DType;
import amalgam.engine.Engine;
import amalgam.engine.NoGrad;
import amalgam.engine.Step;
import amalgam.engine.Tensor;
import amalgam.engine.ops.CrossEntropy;
import amalgam.engine.optim.Adam;
import amalgam.engine.optim.Optimizer;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A two-layer MLP learns a problem no linear model can: inside or outside a ring. */
class MlpTrainingTest {

    private static final class Mlp extends Module {
        final Linear fc1, fc2, fc3;

        Mlp(Random random) {
            fc1 = child("fc1", new Linear(2, 32, random));
            fc2 = child("fc2", new Linear(32, 32, random));
            fc3 = child("fc3", new Linear(32, 2, random));
        }

        @Override
        public Tensor forward(Tensor x) {
            return fc3.forward(fc2.forward(fc1.forward(x).tanh()).relu());
        }
    }

    /** Points in [−1, 1]², labelled 1 inside radius 0.6; a margin of 0.05 around the circle is left empty. */
    private static float[] points(Random random, int n, int[] labels) {
        float[] xy = new float[2 * n];
        for (int i = 0; i < n; ) {
            double x = random.nextDouble() * 2 - 1, y = random.nextDouble() * 2 - 1, r = Math.hypot(x, y);
            if (Math.abs(r - 0.6) < 0.05) continue;
            xy[2 * i] = (float) x;
            xy[2 * i + 1] = (float) y;
            labels[i++] = r < 0.6 ? 1 : 0;
        }
        return xy;
    }

    @Test
    void learnsARingToNinetyNinePercent() {
        Random random = new Random(8);
        Mlp mlp = new Mlp(random);
        int n = 256;
        int[] labels = new int[n], testLabels = new int[n];
        Tensor x = Tensor.of(points(random, n, labels), n, 2);
        Tensor test = Tensor.of(points(random, n, testLabels), n, 2);
        Optimizer adam = Adam.adam(mlp.trainableParameters(), 0.02);
        for (int step = 0; step < 300; step++) {
            try (Step s = Engine.step()) {
                adam.zeroGrad();
                CrossEntropy.crossEntropy(mlp.forward(x), labels).backward();
                adam.step();
            }
        }
        double accuracy;
        try (NoGrad g = Engine.noGrad(); Step s = Engine.step()) {
            accuracy = Accuracy.of(mlp.forward(test), testLabels);
        }
        assertTrue(accuracy >= 0.99, "test accuracy " + accuracy);
    }
}
