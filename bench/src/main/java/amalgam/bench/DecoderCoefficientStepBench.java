package amalgam.bench;

import amalgam.engine.DType;
import amalgam.engine.Engine;
import amalgam.engine.Tensor;
import amalgam.engine.models.llama.LlamaForCausalLM;
import amalgam.engine.nn.Linear;
import amalgam.engine.nn.Module;
import amalgam.engine.optim.Adam;
import amalgam.kernels.Backend;
import amalgam.kernels.Backends;
import amalgam.kernels.WorkerPool;
import amalgam.merge.adaptive.AdaptiveMerge;
import amalgam.merge.adaptive.CoefficientSettings;
import amalgam.merge.adaptive.CoefficientTraining;
import amalgam.merge.adaptive.Coefficients;
import amalgam.merge.algorithms.MergeMethod;
import amalgam.merge.adaptive.TokenBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One coefficient-training step on a SmolLM2-135M-shaped decoder (random weights, fp32): merge (W = W0 + αᵀ·D
 * for q/k/v/o_proj of all 30 layers, 4 adapters), forward over a buffer of 16 sequences × 64 tokens,
 * next-token cross-entropy, backward to the coefficients, and the Adam update. bench/peers/coefficient_step.py
 * times the same step in PyTorch (the merged weights put in place with torch.func.functional_call). A step
 * holds about 6.7 GB of step memory at 16 × 64 tokens (activations and their gradients; the fp32 logits
 * [1024, 49152] alone are 200 MB a copy), hence the fork's direct-memory limit.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xmx2g", "-XX:MaxDirectMemorySize=16g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class DecoderCoefficientStepBench {

    @Param({"ties"})
    public String merge;

    @Param({"4"})
    public int adapters;

    @Param({"16"})
    public int sequences;

    @Param({"64"})
    public int tokens;

    @Param({"2"})
    public int threads;

    /** The engine backend: cpu (Vector API) or native (the C kernels). */
    @Param({"cpu"})
    public String backend;

    private WorkerPool pool;
    private Backend previous;
    private String previousGemm;
    private AdaptiveMerge adaptiveMerge;
    private Coefficients coefficients;
    private Adam adam;
    private TokenBuffer buffer;

    @Setup(Level.Trial)
    public void setUp() {
        pool = WorkerPool.of(threads);
        previous = Engine.backend(DType.F32);
        previousGemm = Engine.f32GemmName();
        Engine.useBackend(Backends.create(backend, pool), backend);
        LlamaForCausalLM model = DecoderBench.smolLm2(0);
        List<String> modules = new ArrayList<>();
        for (Map.Entry<String, Module> m : model.namedModules().entrySet()) {
            if (m.getValue() instanceof Linear && m.getKey().matches(".*\\.self_attn\\.[qkvo]_proj")) modules.add(m.getKey());
        }
        Random random = new Random(1);
        List<Map<String, Tensor>> deltas = new ArrayList<>();
        for (int i = 0; i < adapters; i++) {
            Map<String, Tensor> adapter = new LinkedHashMap<>();
            for (String name : modules) {
                int[] shape = model.linear(name).weight().shape();
                adapter.put(name, Tensor.randn(DType.F32, random, shape).mul(0.002).toPersistent());
            }
            deltas.add(adapter);
        }
        adaptiveMerge = new AdaptiveMerge(model, modules, deltas, MergeMethod.learnableFromName(merge), 0.5, 1);
        coefficients = new Coefficients(CoefficientSettings.sigmoid(3), adapters, modules.size(), DType.F32);
        adam = Adam.adam(coefficients.trainable(), 0.05);
        List<TokenBuffer.Sequence> rows = new ArrayList<>();
        for (int s = 0; s < sequences; s++) {
            int[] ids = new int[tokens];
            for (int t = 0; t < tokens; t++) ids[t] = random.nextInt(model.vocabSize());
            rows.add(TokenBuffer.Sequence.allTokens(ids));
        }
        buffer = new TokenBuffer(model, rows);
    }

    @Benchmark
    public double step() {
        // What train-coefficients runs: the buffer in parts, each part's activations freed before the next.
        try (var _ = Engine.step()) {
            adam.zeroGrad();
            double loss = CoefficientTraining.lossAndGradient(adaptiveMerge, coefficients, buffer.parts());
            adam.step();
            return loss;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Engine.useBackend(previous, previousGemm);
        pool.close();
    }
}
