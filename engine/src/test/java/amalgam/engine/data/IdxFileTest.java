package amalgam.engine.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxFileTest {

    /** A 2×2×3 image file: header 0x00000803, dims, then bytes 0..11 (with one above 127). */
    private static byte[] images() {
        byte[] b = new byte[4 + 12 + 12];
        b[2] = 0x08;
        b[3] = 3;
        b[7] = 2;
        b[11] = 2;
        b[15] = 3;
        for (int i = 0; i < 12; i++) b[16 + i] = (byte) (i == 11 ? 200 : i);
        return b;
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(data);
        }
        return out.toByteArray();
    }

    @Test
    void readsPlainAndGzippedFiles() throws IOException {
        for (byte[] bytes : new byte[][] {images(), gzip(images())}) {
            IdxFile f = IdxFile.read(new ByteArrayInputStream(bytes), "test");
            assertArrayEquals(new int[] {2, 2, 3}, f.dims());
            assertArrayEquals(java.util.Arrays.copyOfRange(images(), 16, 28), f.data());
        }
    }

    @Test
    void rejectsOtherFormatsAndTruncationNamingTheFile(@TempDir Path dir) throws IOException {
        byte[] wrongType = images();
        wrongType[2] = 0x0d; // float data
        Path wrong = dir.resolve("floats.idx");
        Files.write(wrong, wrongType);
        IOException e = assertThrows(IOException.class, () -> IdxFile.read(wrong));
        assertTrue(e.getMessage().contains("floats.idx"), e.getMessage());
        Path truncated = dir.resolve("short.idx");
        Files.write(truncated, java.util.Arrays.copyOf(images(), 20));
        e = assertThrows(IOException.class, () -> IdxFile.read(truncated));
        assertTrue(e.getMessage().contains("short.idx") && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void datasetScalesPixelsToUnitRange() throws IOException {
        IdxFile images = IdxFile.read(new ByteArrayInputStream(images()), "images");
        IdxFile labels = new IdxFile(new int[] {2}, new byte[] {7, (byte) 9});
        ImageDataset d = ImageDataset.of(images, labels);
        float[] second = d.images(new int[] {1}).toFloatArray();
        assertArrayEquals(new float[] {6 / 255f, 7 / 255f, 8 / 255f, 9 / 255f, 10 / 255f, 200 / 255f}, second);
        assertArrayEquals(new int[] {9, 7}, d.labels(new int[] {1, 0}));
    }

    @Test
    void aHeaderClaimingGigabytesOverATinyFileAllocatesWhatTheFileHolds(@TempDir Path dir) throws IOException {
        Path lying = dir.resolve("lying-labels.idx");
        java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(16).putInt(0x00000801).putInt(Integer.MAX_VALUE - 9)
                .putInt(0x01020304).putInt(0x05060708);
        Files.write(lying, header.array());
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        IOException e = assertThrows(IOException.class, () -> IdxFile.read(lying));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("holds 8"), e.getMessage());
        assertTrue(allocated < 64L << 20, allocated + " bytes allocated for an 8-byte body");
    }
}
