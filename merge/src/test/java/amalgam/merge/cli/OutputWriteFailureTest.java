package amalgam.merge.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.engine.io.FileDType;
import amalgam.merge.adapter.LoraAdapter;
import amalgam.merge.adapter.TestAdapters;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write that fails part-way (a full disk; here a file size limit, which fails the same writes without needing a
 * small file system) ends in exit 2 and one line naming the output the user asked for, not its hidden sibling,
 * with nothing left behind and the inputs unchanged.
 */
class OutputWriteFailureTest {

    @TempDir
    Path dir;

    @Test
    void aFailedWriteNamesTheOutputAndLeavesNothing() throws Exception {
        Path[] inputs = new Path[2];
        try (Arena arena = Arena.ofConfined()) {
            for (int i = 0; i < 2; i++) {
                // Each input is 1 MiB; the cat merge of both is 2 MiB, past the 1.5 MiB limit.
                inputs[i] = new TestAdapters(arena, i).linear("model.layers.0.self_attn.q_proj", 4, 1 << 16, 8)
                        .write(dir.resolve("a" + i), TestAdapters.config(4, 8), FileDType.F32);
            }
        }
        byte[] before = Files.readAllBytes(inputs[0].resolve(LoraAdapter.WEIGHTS_FILE));
        Path out = dir.resolve("merged");

        ChildJvm.Result run = ChildJvm.amalgamWithFileSizeLimit(1536, dir.resolve("scratch"), "merge", "--method",
                "cat", "--threads", "2", "--out", out.toString(), inputs[0].toString(), inputs[1].toString());

        assertEquals(2, run.exitCode(), run.transcript());
        assertEquals(1, run.err().lines().filter(l -> l.startsWith("amalgam: ")).count(), run.transcript());
        assertTrue(run.err().contains("amalgam: error: " + out + ": cannot write the output: File too large"),
                run.transcript());
        MergeRuns.assertNoOutput(out);
        assertArrayEquals(before, Files.readAllBytes(inputs[0].resolve(LoraAdapter.WEIGHTS_FILE)));
    }
}
