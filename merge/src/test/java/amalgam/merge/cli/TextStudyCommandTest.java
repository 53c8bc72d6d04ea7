package amalgam.merge.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code amalgam text-study} refuses a corpus without the licence texts in one line, before any training. */
class TextStudyCommandTest {

    @TempDir
    Path dir;

    @Test
    void aCorpusWithoutTheTextsIsOneLineNamingTheFile() throws Exception {
        Files.writeString(dir.resolve("GPL-3"), "only one of the four texts");
        Path out = dir.resolve("report");
        MergeRuns.Run run = MergeRuns.run("text-study", "--corpus", dir.toString(), "--out", out.toString());
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().contains(dir.resolve("Apache-2.0").toString()) && run.err().contains("base-files"), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertFalse(Files.exists(out));
    }
}
