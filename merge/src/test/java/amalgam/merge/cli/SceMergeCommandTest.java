package amalgam.merge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import amalgam.engine.io.FileDType;
import amalgam.kernels.FloatSegments;
import amalgam.merge.algorithms.LowRankUpdate;
import amalgam.merge.algorithms.MergeMethod;
import amalgam.merge.algorithms.MergeSettings;
import amalgam.merge.algorithms.TensorMerge;
import amalgam.merge.algorithms.ComputeContext;
import amalgam.kernels.scalar.ScalarBackend;
import amalgam.kernels.WorkerPool;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code merge --method sce}: the merged update is SCE of the dense deltas; its parameters are its own. */
class SceMergeCommandTest {

    @TempDir
    Path dir;

    @Test
    void theMergedUpdateIsSceOfTheDeltasAtFullRank() throws IOException {
        List<Path> adapters = List.of(MergeRuns.adapter(dir.resolve("a"), 1, 2, 4, FileDType.F32),
                MergeRuns.adapter(dir.resolve("b"), 2, 2, 4, FileDType.F32),
                MergeRuns.adapter(dir.resolve("c"), 3, 3, 6, FileDType.F32));
        Path out = dir.resolve("out");
        // rank 5 = min(out, in) of q_proj: the refactoring is exact, so B·A is the merged delta itself.
        MergeRuns.Run run = MergeRuns.merge(out, adapters, "--method", "sce", "--density", "0.4", "--rank", "5");
        assertEquals(0, run.exitCode(), run.err());
        try (Arena arena = Arena.ofConfined(); WorkerPool pool = WorkerPool.of(1)) {
            List<LowRankUpdate> inputs = new ArrayList<>();
            for (Path a : adapters) inputs.add(MergeRuns.updates(a, arena).get(MergeRuns.Q));
            int n = 5 * 6;
            List<MemorySegment> deltas = new ArrayList<>();
            for (LowRankUpdate u : inputs) {
                double[] d = MergeRuns.delta(u);
                MemorySegment s = FloatSegments.allocate(arena, n);
                for (int e = 0; e < n; e++) FloatSegments.set(s, e, (float) d[e]);
                deltas.add(s);
            }
            TensorMerge sce = MergeMethod.SCE.tensorMerge(new ComputeContext(new ScalarBackend(), pool),
                    MergeSettings.defaults().withDensity(0.4));
            MemorySegment expected = FloatSegments.allocate(arena, n);
            sce.merge(5, 6, deltas, new double[] {1, 1, 1}, 0, expected);
            double[] want = new double[n];
            for (int e = 0; e < n; e++) want[e] = FloatSegments.get(expected, e);
            MergeRuns.assertDeltaEquals(want, MergeRuns.delta(MergeRuns.updates(out, arena).get(MergeRuns.Q)), 1e-5,
                    "sce q_proj");
        }
    }

    @Test
    void sceTakesNoWeightsAndOneDensity() throws IOException {
        List<Path> adapters = List.of(MergeRuns.adapter(dir.resolve("a"), 1, 2, 4, FileDType.F32),
                MergeRuns.adapter(dir.resolve("b"), 2, 2, 4, FileDType.F32));
        MergeRuns.merge(dir.resolve("w"), adapters, "--method", "sce", "--weights", "0.7,0.3")
                .assertBadInput("--weights", "does not apply to sce");
        MergeRuns.merge(dir.resolve("d"), adapters, "--method", "sce", "--density", "0.5,0.3")
                .assertBadInput("--density", "one value");
    }

    @Test
    void mergekitsSelectTopkIsTheDensity() throws IOException {
        MergeRuns.adapter(dir.resolve("a"), 1, 2, 4, FileDType.F32);
        MergeRuns.adapter(dir.resolve("b"), 2, 2, 4, FileDType.F32);
        Path config = Files.writeString(dir.resolve("sce.yml"), """
                merge_method: sce
                models:
                  - model: a
                  - model: b
                parameters: {select_topk: 0.5}
                """);
        MergeRuns.Run fromConfig = MergeRuns.run("merge", "--config", config.toString(), "--threads", "2",
                "--out", dir.resolve("c").toString());
        assertEquals(0, fromConfig.exitCode(), fromConfig.err());
        MergeRuns.Run fromFlags = MergeRuns.merge(dir.resolve("f"), List.of(dir.resolve("a"), dir.resolve("b")),
                "--method", "sce", "--density", "0.5");
        assertEquals(0, fromFlags.exitCode(), fromFlags.err());
        assertArrayEquals(Files.readAllBytes(dir.resolve("f/adapter_model.safetensors")),
                Files.readAllBytes(dir.resolve("c/adapter_model.safetensors")));
    }
}
