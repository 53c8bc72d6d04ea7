package amalgam.engine.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * An IDX file (the MNIST format) of unsigned bytes: a big-endian header (two zero bytes, type code 0x08,
 * rank) and the dimensions, then the data row-major. Gzip-compressed files are recognised by their magic.
 */
public record IdxFile(int[] dims, byte[] data) {

    private static final int UNSIGNED_BYTE = 0x08;

    public static IdxFile read(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return read(in, path.toString());
        }
    }

    /** Reads from a stream; {@code source} names it in errors. */
    public static IdxFile read(InputStream raw, String source) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(raw);
        buffered.mark(2);
        boolean gzip = buffered.read() == 0x1f & buffered.read() == 0x8b;
        buffered.reset();
        DataInputStream in = new DataInputStream(gzip ? new GZIPInputStream(buffered) : buffered);
        try {
            int magic = in.readInt();
            if ((magic >>> 16) != 0 || ((magic >>> 8) & 0xff) != UNSIGNED_BYTE || (magic & 0xff) == 0) {
                throw new IOException(source + ": not an IDX file of unsigned bytes (magic 0x"
                        + Integer.toHexString(magic) + ")");
            }
            int[] dims = new int[magic & 0xff];
            long count = 1;
            for (int i = 0; i < dims.length; i++) {
                dims[i] = in.readInt();
                if (dims[i] < 0) throw new IOException(source + ": negative dimension " + dims[i]);
                count *= dims[i];
                if (count > Integer.MAX_VALUE - 8) {
                    throw new IOException(source + ": dimensions " + Arrays.toString(Arrays.copyOf(dims, i + 1))
                            + " make more elements than an IDX file here may hold (2^31 - 9)");
                }
            }
            // readNBytes grows its buffer with the data that arrives, so a header that claims gigabytes over a
            // short file costs what the file holds, not what it claims.
            byte[] data = in.readNBytes((int) count);
            if (data.length < count) {
                throw new IOException(source + ": truncated IDX file: the header claims " + count + " elements, the "
                        + "file holds " + data.length);
            }
            return new IdxFile(dims, data);
        } catch (EOFException e) {
            throw new IOException(source + ": truncated IDX file", e);
        } catch (ZipException e) {
            throw new IOException(source + ": corrupt gzip data (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public String toString() {
        return "IdxFile" + Arrays.toString(dims);
    }
}
