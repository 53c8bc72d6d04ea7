package amalgam.bench;

import amalgam.engine.DType;
import amalgam.engine.Engine;
import amalgam.engine.Tensor;
import amalgam.engine.nn.TinyViT;
import amalgam.engine.optim.Adam;
import amalgam.merge.adaptive.AdaptiveMerge;
import amalgam.merge.adaptive.CoefficientSettings;
import amalgam.merge.adaptive.Coefficients;
import amalgam.merge.algorithms.MergeMethod;
import amalgam.merge.adaptive.Buffer;
import amalgam.merge.adaptive.LabelledImages;
import amalgam.merge.adaptive.Objective;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * One coefficient-training step of adaptive merging: merge (W = W0 + αᵀ·D for the four adapted modules), TinyViT
 * forward over the memory buffer, cross-entropy, backward to c and β, and the Adam update. The buffer of the
 * domain-incremental study holds spc·10 images per domain seen: 40 with spc 1 after four domains.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CoefficientStepBench {

    @Param({"task_arithmetic", "ties"})
    public String merge;

    @Param({"4"})
    public int adapters;

    @Param({"40", "200"})
    public int buffer;

    private AdaptiveMerge adaptiveMerge;
    private Coefficients coefficients;
    private Adam adam;
    private Buffer bufferLoss;

    @Setup(Level.Trial)
    public void setUp() {
        Random random = new Random(1);
        TinyViT base = new TinyViT(DType.F32, random);
        List<Map<String, Tensor>> deltas = new ArrayList<>();
        for (int i = 0; i < adapters; i++) {
            Map<String, Tensor> adapter = new LinkedHashMap<>();
            for (String module : TinyViT.ATTENTION_PROJECTIONS) {
                Tensor w0 = base.namedParameters().get(module + ".weight");
                adapter.put(module, Tensor.randn(DType.F32, random, w0.shape()).mul(0.05).toPersistent());
            }
            deltas.add(adapter);
        }
        adaptiveMerge = new AdaptiveMerge(base, TinyViT.ATTENTION_PROJECTIONS, deltas, MergeMethod.learnableFromName(merge), 0.5, 1);
        coefficients = new Coefficients(CoefficientSettings.sigmoid(3), adapters, TinyViT.ATTENTION_PROJECTIONS.size(),
                DType.F32);
        adam = Adam.adam(coefficients.trainable(), 0.05);
        Tensor images = Tensor.rand(DType.F32, random, 0, 1, buffer, TinyViT.IMAGE * TinyViT.IMAGE).toPersistent();
        int[] labels = new int[buffer];
        for (int i = 0; i < buffer; i++) labels[i] = i % TinyViT.CLASSES;
        bufferLoss = new LabelledImages(base::forward, images, labels, Objective.crossEntropy());
    }

    @Benchmark
    public double step() {
        try (var _ = Engine.step()) {
            adam.zeroGrad();
            Tensor loss = adaptiveMerge.loss(coefficients.weights(), coefficients.settings().granularity(), bufferLoss);
            loss.backward();
            adam.step();
            return loss.item();
        }
    }
}
