package amalgam.merge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.merge.adapter.LoraAdapter;
import amalgam.merge.adapter.LoraModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The merge measurement's inputs, written by the CLI: PEFT adapters of the stated shapes, never clobbered. */
class SyntheticAdaptersCommandTest {

    @TempDir
    Path dir;

    @Test
    void writesTheAdaptersAndRefusesToReplaceThem() throws IOException {
        Path out = dir.resolve("in");
        MergeRuns.Run run = MergeRuns.run("synthetic-adapters", "--out", out.toString(), "--count", "2", "--rank", "2",
                "--dtype", "f16");
        assertEquals(0, run.exitCode(), run.err());
        try (LoraAdapter adapter = LoraAdapter.open(out.resolve("adapter2"), true)) {
            List<LoraModule> modules = adapter.modules();
            assertEquals(3, modules.size());
            LoraModule up = modules.stream().filter(m -> m.name().endsWith("up_proj")).findFirst().orElseThrow();
            assertEquals(2, up.rank());
            assertEquals(2048, up.inFeatures());
            assertEquals(5504, up.outFeatures());
        }
        byte[] before = Files.readAllBytes(out.resolve("adapter1/adapter_model.safetensors"));
        MergeRuns.run("synthetic-adapters", "--out", out.toString(), "--count", "3", "--rank", "2", "--seed", "9")
                .assertBadInput("adapter1", "--force");
        assertTrue(Files.notExists(out.resolve("adapter3")), "nothing written when one is refused");
        assertEquals(java.util.Arrays.hashCode(before),
                java.util.Arrays.hashCode(Files.readAllBytes(out.resolve("adapter1/adapter_model.safetensors"))));
        MergeRuns.run("synthetic-adapters", "--out", out.toString(), "--dtype", "f64").assertBadInput("--dtype");
    }
}
