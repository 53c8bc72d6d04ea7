package amalgam.bench;

import amalgam.engine.DType;
import amalgam.engine.Engine;
import amalgam.engine.NoGrad;
import amalgam.engine.Step;
import amalgam.engine.Tensor;
import amalgam.engine.nn.Lora;
import amalgam.engine.nn.LoraLinear;
import amalgam.engine.nn.MultiLoraLinear;
import amalgam.kernels.Backends;
import amalgam.kernels.WorkerPool;
import java.util.ArrayList;
import java.util.List;
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
 * One LoRA linear forward, d_in = d_out = 4096, r = 16 (inference, no graph): {@code unmerged} computes
 * x·W0ᵀ + s·(x·Aᵀ)·Bᵀ, {@code merged} computes x·(W0 + s·B·A)ᵀ with the merge done beforehand, and
 * {@code multi} serves four adapters in one batch (tokens split evenly). PyTorch on the development machine
 * (2 threads, unmerged): ≈ 6.0, 10.8 and 114 ms for 1, 32 and 512 tokens.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xmx4g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class LoraForwardBench {

    static final int DIM = 4096, RANK = 16, ADAPTERS = 4;

    @Param({"1", "32", "512"})
    public int tokens;

    @Param({"unmerged", "merged", "multi"})
    public String mode;

    @Param({"2"})
    public int threads;

    private WorkerPool pool;
    private LoraLinear lora;
    private MultiLoraLinear multi;
    private int[] rowsPerAdapter;
    private Tensor x;

    @Setup(Level.Trial)
    public void setUp() {
        pool = WorkerPool.of(threads);
        Engine.useBackend(Backends.create("cpu", pool), "vector");
        Random random = new Random(3);
        Tensor w0 = Tensor.randn(DType.F32, random, DIM, DIM);
        Tensor bias = Tensor.zeros(DType.F32, DIM);
        x = Tensor.randn(DType.F32, random, tokens, DIM);
        switch (mode) {
            case "unmerged", "merged" -> {
                lora = new LoraLinear(w0, bias, randn(random, RANK, DIM), randn(random, DIM, RANK), 2.0);
                if (mode.equals("merged")) lora.merge();
            }
            case "multi" -> {
                List<Lora> adapters = new ArrayList<>();
                for (int i = 0; i < ADAPTERS; i++) {
                    adapters.add(new Lora(randn(random, RANK, DIM), randn(random, DIM, RANK), 2.0));
                }
                multi = new MultiLoraLinear(w0, bias, adapters);
                rowsPerAdapter = split(tokens);
            }
            default -> throw new IllegalArgumentException("mode must be unmerged, merged or multi: " + mode);
        }
    }

    private static Tensor randn(Random random, int... shape) {
        return Tensor.randn(DType.F32, random, shape);
    }

    /** Tokens dealt to the adapters as evenly as possible (one token goes to the first adapter). */
    private static int[] split(int tokens) {
        int[] rows = new int[ADAPTERS];
        for (int i = 0; i < tokens; i++) rows[i % ADAPTERS]++;
        return rows;
    }

    @Benchmark
    public double forward() {
        try (NoGrad g = Engine.noGrad(); Step s = Engine.step()) {
            Tensor y = multi != null ? multi.forward(x, rowsPerAdapter) : lora.forward(x);
            return y.get(0, 0);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
    }

    /** Multiply-adds of one forward, counted as 2 FLOP each; the merge itself is not part of the work. */
    static double flopsPerOp(int tokens, String mode) {
        double base = 2.0 * tokens * DIM * DIM;
        return mode.equals("merged") ? base : base + 2.0 * tokens * RANK * (2.0 * DIM);
    }
}
