package amalgam.merge.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code amalgam dil} and {@code amalgam demo} are registered and check their inputs before training. */
class StudyCommandsTest {

    @Test
    void bothCommandsAreListed() {
        MergeRuns.Run run = MergeRuns.run("--help");
        assertEquals(0, run.exitCode());
        assertTrue(run.out().contains("dil") && run.out().contains("demo"), run.out());
    }

    @Test
    void anExistingJsonFileIsRefusedBeforeAnyTraining(@TempDir Path dir) throws Exception {
        Path json = Files.writeString(dir.resolve("r.json"), "{}");
        MergeRuns.Run run = MergeRuns.run("demo", "--json", json.toString(), "--out", dir.resolve("report").toString());
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().contains("already exists (use --force to replace it)"), run.err());
        assertEquals("{}", Files.readString(json));
        assertTrue(run.err().lines().count() == 1, "one error line, no training output: " + run.err());
    }

    @Test
    void badStudyOptionsAreOneLineErrors(@TempDir Path dir) {
        MergeRuns.Run spc = MergeRuns.run("dil", "--quick", "--spc", "0", "--out", dir.resolve("r").toString());
        assertEquals(2, spc.exitCode());
        assertTrue(spc.err().contains("--spc"), spc.err());
        MergeRuns.Run seeds = MergeRuns.run("dil", "--quick", "--seeds", "1,x", "--out", dir.resolve("r").toString());
        assertEquals(2, seeds.exitCode());
        assertTrue(seeds.err().contains("--seeds"), seeds.err());
        MergeRuns.Run data = MergeRuns.run("dil", "--data", dir.resolve("missing").toString(), "--out", dir.resolve("r").toString());
        assertEquals(2, data.exitCode());
        assertTrue(data.err().contains("--data"), data.err());
    }
}
