package amalgam.engine;

import amalgam.engine.nn.Linear;
import amalgam.engine.ops.CrossEntropy;
import amalgam.engine.optim.AdamW;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-step memory: a training loop reuses the same pooled chunks, so its footprint is flat. */
class MemoryTest {

    @Test
    void trainingStepsReuseTheirMemory() {
        Random random = new Random(3);
        Linear layer = new Linear(32, 10, random);
        AdamW optimizer = new AdamW(layer.trainableParameters(), 1e-3);
        Tensor x = Tensor.randn(DType.F32, random, 16, 32);
        int[] labels = new int[16];
        long afterWarmup = 0;
        for (int step = 0; step < 2_000; step++) {
            try (Step s = Engine.step()) {
                optimizer.zeroGrad();
                CrossEntropy.crossEntropy(layer.forward(x).tanh(), labels).backward();
                optimizer.step();
            }
            if (step == 5) afterWarmup = Engine.stepMemoryBytes();
        }
        assertTrue(afterWarmup > 0);
        assertEquals(afterWarmup, Engine.stepMemoryBytes(), "pooled step memory must not grow with steps");
    }
}
