package amalgam.merge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import amalgam.engine.io.FileDType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command that writes, pointed at a read-only file system: one line naming the output, exit 2. A
 * read-only mount needs root and mount(8); elsewhere the test is skipped and says why.
 */
class ReadOnlyOutputTest {

    @TempDir
    Path dir;

    private Path readOnly;

    @BeforeEach
    void mountReadOnly() throws IOException, InterruptedException {
        readOnly = Files.createDirectory(dir.resolve("ro"));
        Process mount;
        try {
            mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", readOnly.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            readOnly = null;
            assumeTrue(false, "no mount(8) here to make a read-only file system: " + e.getMessage());
            return;
        }
        boolean mounted = mount.waitFor(20, TimeUnit.SECONDS) && mount.exitValue() == 0;
        if (!mounted) readOnly = null;
        assumeTrue(mounted, "cannot mount a read-only tmpfs here (needs root): "
                + new String(mount.getInputStream().readAllBytes()).strip());
    }

    @AfterEach
    void unmount() throws IOException, InterruptedException {
        if (readOnly != null) new ProcessBuilder("umount", readOnly.toString()).start().waitFor(20, TimeUnit.SECONDS);
    }

    @Test
    void writersRefuseAReadOnlyOutputWithOneLine() throws IOException {
        Path a = MergeRuns.adapter(dir.resolve("a"), 1, 2, 4, FileDType.F32);
        Path b = MergeRuns.adapter(dir.resolve("b"), 2, 2, 4, FileDType.F32);
        MergeRuns.merge(readOnly.resolve("out"), List.of(a, b), "--method", "linear")
                .assertBadInput(readOnly.resolve("out").toString(), "Read-only file system");
        MergeRuns.run("synthetic-adapters", "--out", readOnly.resolve("in").toString(), "--count", "1", "--rank", "1")
                .assertBadInput(readOnly.resolve("in").toString(), "Read-only file system");
        MergeRuns.run("man", readOnly.resolve("man").toString())
                .assertBadInput(readOnly.resolve("man").toString(), "Read-only file system");
        try (var left = Files.list(readOnly)) { // closed, or the mount stays busy
            assertEquals(0, left.count());
        }
    }
}
