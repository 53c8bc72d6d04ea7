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

    @Test
    void dataWithLabelsOutOfRangeOrMiscountedIsOneLineNamingTheFile(@TempDir Path dir) throws Exception {
        Path wide = fashionMnist(dir.resolve("wide"), 12, 12, 10);
        Path few = fashionMnist(dir.resolve("few"), 12, 11, 9);
        for (Path data : java.util.List.of(wide, few)) {
            Path out = dir.resolve("report-" + data.getFileName());
            MergeRuns.Run run = MergeRuns.run("dil", "--quick", "--data", data.toString(), "--out", out.toString());
            assertEquals(2, run.exitCode(), run.err());
            assertEquals(1, run.err().strip().lines().count(), run.err());
            assertTrue(run.err().contains("--data") && run.err().contains("labels-idx1-ubyte"), run.err());
            assertTrue(Files.notExists(out));
        }
    }

    /** The four Fashion-MNIST files: train with {@code images} images and {@code labels} labels up to {@code top}. */
    private static Path fashionMnist(Path dir, int images, int labels, int top) throws java.io.IOException {
        Files.createDirectories(dir);
        for (String split : new String[] {"train", "t10k"}) {
            byte[] pixels = new byte[images * 28 * 28];
            byte[] classes = new byte[labels];
            for (int i = 0; i < labels; i++) classes[i] = (byte) (i % (top + 1));
            Files.write(dir.resolve(split + "-images-idx3-ubyte"), idx(0x0803, new int[] {images, 28, 28}, pixels));
            Files.write(dir.resolve(split + "-labels-idx1-ubyte"), idx(0x0801, new int[] {labels}, classes));
        }
        return dir;
    }

    private static byte[] idx(int magic, int[] dims, byte[] data) {
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        buffer.putInt(magic);
        for (int d : dims) buffer.putInt(d);
        return buffer.put(data).array();
    }
}
