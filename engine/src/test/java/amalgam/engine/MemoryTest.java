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

    /** A language model's logits outgrow a chunk: those blocks are pooled too, and come back uninitialised. */
    @Test
    void allocationsLargerThanAChunkAreReusedAcrossSteps() {
        Random random = new Random(4);
        Linear head = new Linear(16, 40_000, random); // logits of 64 tokens: 10 MB, more than a chunk
        Tensor x = Tensor.randn(DType.F32, random, 64, 16);
        int[] targets = new int[64];
        long afterWarmup = 0;
        double first = Double.NaN;
        for (int step = 0; step < 50; step++) {
            try (Step s = Engine.step()) {
                Tensor loss = CrossEntropy.crossEntropy(head.forward(x), targets);
                loss.backward();
                if (step == 0) first = loss.item();
                else assertEquals(first, loss.item(), 1e-6, "a reused block changed the result");
            }
            head.trainableParameters().forEach(p -> p.zeroGrad());
            if (step == 2) afterWarmup = Engine.stepMemoryBytes();
        }
        assertTrue(afterWarmup >= 2 * 64 * 40_000 * 4L, "the logits blocks count as step memory");
        assertEquals(afterWarmup, Engine.stepMemoryBytes(), "blocks larger than a chunk must be reused");
    }
}
