package amalgam.bench;

import amalgam.engine.DType;
import amalgam.engine.Engine;
import amalgam.engine.Step;
import amalgam.engine.Tensor;
import amalgam.engine.nn.TinyViT;
import amalgam.engine.ops.CrossEntropy;
import amalgam.engine.optim.AdamW;
import amalgam.kernels.Backends;
import amalgam.kernels.WorkerPool;
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
 * One AdamW training step of TinyViT (forward, cross-entropy, backward, update) on random 28×28 inputs: the
 * number to put next to PyTorch's eager step on the same machine ({@code bench/peers/train_step.py}, which
 * {@code amalgam bench TrainStepBench --peers} runs right after it; the README has the measured figures).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TrainStepBench {

    @Param({"64"})
    public int batch;

    @Param({"1", "2"})
    public int threads;

    private WorkerPool pool;
    private TinyViT model;
    private AdamW optimizer;
    private Tensor images;
    private int[] labels;

    @Setup(Level.Trial)
    public void setUp() {
        pool = WorkerPool.of(threads);
        Engine.useBackend(Backends.create("cpu", pool), "vector");
        Random random = new Random(1);
        model = new TinyViT(DType.F32, random);
        optimizer = new AdamW(model.trainableParameters(), 1e-3);
        images = Tensor.rand(DType.F32, random, 0, 1, batch, TinyViT.IMAGE * TinyViT.IMAGE);
        labels = random.ints(batch, 0, TinyViT.CLASSES).toArray();
    }

    @Benchmark
    public Tensor step() {
        try (Step s = Engine.step()) {
            optimizer.zeroGrad();
            Tensor loss = CrossEntropy.crossEntropy(model.forward(images), labels);
            loss.backward();
            optimizer.step();
        }
        return images;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
    }
}
