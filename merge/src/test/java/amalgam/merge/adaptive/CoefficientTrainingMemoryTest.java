package amalgam.merge.adaptive;

import amalgam.merge.algorithms.MergeMethod;
import amalgam.engine.DType;
import amalgam.engine.Engine;
import amalgam.engine.Tensor;
import amalgam.engine.models.llama.LlamaConfig;
import amalgam.engine.models.llama.LlamaForCausalLM;
import amalgam.engine.models.llama.RopeParameters;
import amalgam.engine.models.llama.Variant;
import amalgam.merge.adaptive.TokenBuffer.Sequence;
import org.junit.jupiter.api.Test;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A thousand coefficient steps on a decoder (TIES merge, forward, backward through the merge, Adam) hold their
 * memory flat: the step's pooled memory and the off-heap memory of the process stop growing after the first
 * steps, so a long run on a real model costs what its first steps cost.
 */
class CoefficientTrainingMemoryTest {

    @Test
    void memoryIsFlatOverAThousandSteps() {
        LlamaConfig config = new LlamaConfig(Variant.LLAMA, 40, 16, 32, 2, 4, 2, 4, 1e-6, true, false, false, false,
                64, new RopeParameters("default", 10000, 4, 1, 1, 4, 64), OptionalInt.empty(), List.of(), "test");
        LlamaForCausalLM model = new LlamaForCausalLM("LlamaForCausalLM", config, SyntheticAdapters.randomWeights(DType.F32, 9));
        List<String> modules = List.of("model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj",
                "model.layers.1.self_attn.o_proj", "model.layers.1.mlp.down_proj");
        List<Map<String, Tensor>> adapters = SyntheticAdapters.adapters(model.module(), modules, 3, 0.2, 12);
        AdaptiveMerge merge = new AdaptiveMerge(model.module(), modules, adapters, MergeMethod.TIES, 0.5, 5);
        Buffer buffer = new TokenBuffer(model, List.of(Sequence.allTokens(new int[] {1, 4, 7, 2, 9, 30, 11}),
                new Sequence(new int[] {3, 3, 9, 10, 0, 5}, 2)));
        Coefficients coefficients = new Coefficients(CoefficientSettings.sigmoid(3), 3, modules.size(), DType.F32);

        long[] stepMemory = new long[2], offHeap = new long[2];
        int steps = 1_000, warm = 10;
        CoefficientTraining.train(merge, coefficients, buffer, steps, 0.01, (step, loss) -> {
            if (step == warm || step == steps - 1) {
                int at = step == warm ? 0 : 1;
                stepMemory[at] = Engine.stepMemoryBytes();
                System.gc(); // memory only reachable from collected arenas is not a leak of the steps
                offHeap[at] = directMemory();
            }
        });
        assertTrue(stepMemory[0] > 0);
        assertTrue(offHeap[0] > 0, "the model's weights are off the heap, so the pool counts them");
        assertEquals(stepMemory[0], stepMemory[1], "pooled step memory grew over the steps");
        // Off-heap tensors are persistent or pooled: nothing a step allocates may outlive it. Other tests in this
        // JVM may free memory meanwhile, so the bound is on growth: a leak of 256 bytes a step would exceed it.
        long growth = offHeap[1] - offHeap[0];
        assertTrue(growth < 256 * (steps - warm), "off-heap memory grew by " + growth + " bytes over the steps");
    }

    /** Bytes of native memory the JVM accounts as direct (every MemorySegment an Arena allocates). */
    private static long directMemory() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) return pool.getMemoryUsed();
        }
        throw new IllegalStateException("no direct buffer pool");
    }
}
