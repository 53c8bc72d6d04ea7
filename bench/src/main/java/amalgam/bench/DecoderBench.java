package amalgam.bench;

import amalgam.engine.DType;
import amalgam.engine.Engine;
import amalgam.engine.NoGrad;
import amalgam.engine.Step;
import amalgam.engine.Tensor;
import amalgam.engine.hub.JsonConfig;
import amalgam.engine.hub.TensorSource;
import amalgam.engine.models.llama.KvCache;
import amalgam.engine.models.llama.LlamaConfig;
import amalgam.engine.models.llama.LlamaForCausalLM;
import amalgam.engine.models.llama.Variant;
import amalgam.engine.nn.Linear;
import amalgam.engine.nn.Module;
import amalgam.kernels.Backend;
import amalgam.kernels.Backends;
import amalgam.kernels.WorkerPool;
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
 * A SmolLM2-135M-shaped Llama (30 layers, hidden 576, 9 heads over 3 KV heads, vocab 49,152, tied head; random
 * weights made here, fp32) at batch 1: {@code prefill} runs a 128-token prompt into an empty KV cache,
 * {@code decode} one token after a 128-token cache (ms per token; tokens/s = 1000 / score). {@code adapter}
 * lora attaches a rank-16 LoRA to q/k/v/o_proj of every layer, unmerged. bench/peers/decoder.py measures the
 * same in PyTorch. Decode streams every weight once per token: GB/s = 0.54 GB (the fp32 weights) / score.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xmx6g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class DecoderBench {

    /** SmolLM2-135M's config.json, the fields the engine reads. */
    static final String SMOLLM2_135M = """
            {"architectures": ["LlamaForCausalLM"], "vocab_size": 49152, "hidden_size": 576,
             "intermediate_size": 1536, "num_hidden_layers": 30, "num_attention_heads": 9,
             "num_key_value_heads": 3, "head_dim": 64, "max_position_embeddings": 8192, "rms_norm_eps": 1e-5,
             "rope_theta": 100000.0, "tie_word_embeddings": true, "hidden_act": "silu"}""";
    static final int PROMPT = 128, RANK = 16;

    @Param({"prefill", "decode"})
    public String phase;

    @Param({"none", "lora"})
    public String adapter;

    @Param({"2"})
    public int threads;

    private WorkerPool pool;
    private Backend previous;
    private String previousGemm;
    private LlamaForCausalLM model;
    private int[][] prompt;
    private KvCache cache;

    /** The SmolLM2-135M-shaped model with random weights. */
    static LlamaForCausalLM smolLm2(long seed) {
        LlamaConfig config = LlamaConfig.from(JsonConfig.parse(SMOLLM2_135M, "SmolLM2-135M config"), Variant.LLAMA);
        return new LlamaForCausalLM("LlamaForCausalLM", config, new RandomWeights(new Random(seed)));
    }

    @Setup(Level.Trial)
    public void setUp() {
        pool = WorkerPool.of(threads);
        previous = Engine.backend(DType.F32);
        previousGemm = Engine.f32GemmName();
        Engine.useBackend(Backends.create(Backends.DEFAULT, pool), Backends.DEFAULT);
        model = smolLm2(0);
        if (adapter.equals("lora")) attachLoras(model, new Random(1));
        Random random = new Random(2);
        prompt = new int[1][PROMPT];
        for (int i = 0; i < PROMPT; i++) prompt[0][i] = random.nextInt(model.vocabSize());
    }

    private static void attachLoras(Module model, Random random) {
        for (Map.Entry<String, Module> m : model.namedModules().entrySet()) {
            String name = m.getKey();
            if (m.getValue() instanceof Linear linear && name.matches(".*\\.self_attn\\.[qkvo]_proj")) {
                Tensor a = Tensor.randn(DType.F32, random, RANK, linear.inFeatures()).mul(0.05).toPersistent();
                Tensor b = Tensor.randn(DType.F32, random, linear.outFeatures(), RANK).mul(0.05).toPersistent();
                linear.attachLora("bench", a, b, 2.0);
            }
        }
    }

    /** A fresh cache per invocation: prefill fills an empty one, decode extends a 128-token one by one. */
    @Setup(Level.Invocation)
    public void newCache() {
        cache = model.newCache(1, PROMPT + 1);
        if (phase.equals("decode")) {
            try (NoGrad _ = Engine.noGrad(); Step _ = Engine.step()) {
                model.logits(prompt, cache);
            }
        }
    }

    @Benchmark
    public float run() {
        try (NoGrad _ = Engine.noGrad(); Step _ = Engine.step()) {
            int[][] ids = phase.equals("prefill") ? prompt : new int[][] {{prompt[0][0]}};
            Tensor logits = model.logits(ids, cache);
            return (float) logits.get(0, ids[0].length - 1, 0);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Engine.useBackend(previous, previousGemm);
        pool.close();
    }

    /** Weights as a checkpoint would give them, drawn at the scale of a trained model's (σ = 0.02; norms 1). */
    record RandomWeights(Random random) implements TensorSource {
        @Override
        public boolean has(String name) {
            return !name.endsWith(".bias") && !name.equals("lm_head.weight");
        }

        @Override
        public Tensor load(String name, int... shape) {
            if (name.endsWith("norm.weight")) return Tensor.ones(DType.F32, shape);
            return Tensor.randn(DType.F32, random, shape).mul(0.02).toPersistent();
        }
    }
}
