package amalgam.merge.cli;

import static amalgam.merge.cli.FullModelFixtures.assertFolded;
import static amalgam.merge.cli.FullModelFixtures.delta;
import static amalgam.merge.cli.FullModelFixtures.floats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.engine.hub.Checkpoint;
import amalgam.engine.io.FileDType;
import amalgam.engine.io.FloatTensor;
import amalgam.engine.io.Safetensors;
import amalgam.engine.io.SafetensorsFile;
import amalgam.engine.io.TensorInfo;
import amalgam.kernels.FloatSegments;
import amalgam.merge.adapter.TestAdapters;
import amalgam.merge.algorithms.LowRankUpdate;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Full-model merges into base models written here: f16 weights (rounding, and an update that leaves f16's range),
 * and a base larger than the JVM heap, folded by the real CLI in a child JVM with {@code -Xmx32m} (a heap copy of the
 * base's file, or an output assembled on the heap, would not fit; each weight is folded off the heap) and refused
 * cleanly when the output cannot be written.
 */
class FullModelSyntheticBaseTest {

    private static final String Q = "model.layers.0.self_attn.q_proj";

    @TempDir
    Path dir;

    /** A model directory holding {@code layers} q_proj weights of size × size, N(0, σ²) entries, stored as {@code dtype}. */
    private Path base(String name, int layers, int size, double sigma, FileDType dtype) throws IOException {
        Path model = Files.createDirectories(dir.resolve(name));
        Files.writeString(model.resolve(Checkpoint.CONFIG), "{\"architectures\": [\"LlamaForCausalLM\"]}");
        SplittableRandom random = new SplittableRandom(11);
        try (Arena arena = Arena.ofConfined()) {
            Map<String, FloatTensor> tensors = new LinkedHashMap<>();
            for (int layer = 0; layer < layers; layer++) {
                FloatTensor t = new FloatTensor(new long[] {size, size}, FloatSegments.allocate(arena, (long) size * size));
                for (long i = 0; i < (long) size * size; i++) {
                    FloatSegments.set(t.data(), i, (float) (sigma * random.nextGaussian()));
                }
                tensors.put("model.layers." + layer + ".self_attn.q_proj.weight", t);
            }
            Safetensors.write(model.resolve(Checkpoint.WEIGHTS), tensors, Map.of("format", "pt"), dtype);
        }
        return model;
    }

    /** An adapter of layer 0's q_proj (and of {@code moreLayers} more) with scaling alpha / 4. */
    private Path adapter(int size, double alpha, int moreLayers) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            TestAdapters t = new TestAdapters(arena, 5);
            for (int layer = 0; layer <= moreLayers; layer++) {
                t.linear("model.layers." + layer + ".self_attn.q_proj", 4, size, size);
            }
            return t.write(dir.resolve("adapter"), TestAdapters.config(4, alpha), FileDType.F32);
        }
    }

    @Test
    void f16WeightsAreRoundedToNearestAndAnOverflowIsRefused() throws IOException {
        Path base = base("f16", 1, 48, 1, FileDType.F16);
        Path adapter = adapter(48, 0.2, 0);
        Path out = dir.resolve("merged");
        MergeRuns.Run run = MergeRuns.merge(out, List.of(adapter), "--method", "cat", "--base-model", base.toString(),
                "--full-model");
        assertEquals(0, run.exitCode(), run.err());
        try (Arena arena = Arena.ofConfined();
             SafetensorsFile before = SafetensorsFile.open(base.resolve(Checkpoint.WEIGHTS));
             SafetensorsFile after = SafetensorsFile.open(out.resolve(Checkpoint.WEIGHTS))) {
            LowRankUpdate u = MergeRuns.updates(adapter, arena).get(Q);
            TensorInfo t = after.tensor(Q + ".weight").orElseThrow();
            assertEquals(FileDType.F16, t.dtype());
            assertFolded(floats(before, t.name()), delta(List.of(u), new double[] {1}, false), floats(after, t.name()),
                    FileDType.F16, 1e-6, t.name());
        }
        // ΔW entries are about 0.05 · 2 (B A of four N(0, 1) terms): times 1e6 they pass f16's ±65504.
        MergeRuns.merge(dir.resolve("overflow"), List.of(adapter), "--method", "cat", "--weights", "1e6",
                "--base-model", base.toString(), "--full-model")
                .assertBadInput("'" + Q + "'", "'" + Q + ".weight'", "f16's range");
        MergeRuns.assertNoOutput(dir.resolve("overflow"));
    }

    @Test
    void aBaseLargerThanTheHeapIsFoldedTensorByTensor() throws Exception {
        int layers = 40, size = 512;
        Path base = base("large", layers, size, 0.05, FileDType.F32);
        assertTrue(Files.size(base.resolve(Checkpoint.WEIGHTS)) > 40L << 20);
        Path adapter = adapter(size, 0.4, layers - 1);
        Path out = dir.resolve("merged");
        ChildJvm.Result run = ChildJvm.amalgam("32m", dir.resolve("logs"), "merge", "--method", "linear",
                "--threads", "2", "--base-model", base.toString(), "--full-model", "--out", out.toString(),
                adapter.toString());
        assertEquals(0, run.exitCode(), run.transcript());
        try (Arena arena = Arena.ofConfined();
             SafetensorsFile before = SafetensorsFile.open(base.resolve(Checkpoint.WEIGHTS));
             SafetensorsFile after = SafetensorsFile.open(out.resolve(Checkpoint.WEIGHTS))) {
            Map<String, LowRankUpdate> updates = MergeRuns.updates(adapter, arena);
            for (String module : List.of(Q, "model.layers." + (layers - 1) + ".self_attn.q_proj")) {
                assertFolded(floats(before, module + ".weight"), delta(List.of(updates.get(module)), new double[] {1},
                        false), floats(after, module + ".weight"), FileDType.F32, 1e-6, module);
            }
        }
    }

    @Test
    void anOutputThatCannotBeWrittenLeavesNothing() throws Exception {
        Path base = base("large", 24, 512, 0.05, FileDType.F32);
        Path adapter = adapter(512, 0.4, 0);
        Path out = dir.resolve("merged");
        ChildJvm.Result run = ChildJvm.amalgamWithFileSizeLimit(8192, dir.resolve("scratch"), "merge", "--method",
                "linear", "--threads", "2", "--base-model", base.toString(), "--full-model", "--out", out.toString(),
                adapter.toString());
        assertEquals(2, run.exitCode(), run.transcript());
        assertTrue(run.err().contains("amalgam: error: " + out + ": cannot write the output: File too large"),
                run.transcript());
        MergeRuns.assertNoOutput(out);
    }
}
