package amalgam.engine.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Hand-built safetensors files, including malformed ones, byte by byte. */
final class RawSafetensors {

    private RawSafetensors() {}

    /** A file with this exact header text (no padding) followed by {@code data}. */
    static Path write(Path file, String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return writeWithLength(file, json.length, json, data);
    }

    /** A file whose length prefix says {@code claimedLength}, whatever follows. */
    static Path writeWithLength(Path file, long claimedLength, byte[] header, byte[] data) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(claimedLength).put(header).put(data);
        Files.write(file, buffer.array());
        return file;
    }

    /** Little-endian bytes of fp32 values. */
    static byte[] f32(float... values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) buffer.putFloat(v);
        return buffer.array();
    }

    static byte[] f64(double... values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) buffer.putDouble(v);
        return buffer.array();
    }

    static byte[] u16(int... values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) buffer.putShort((short) v);
        return buffer.array();
    }

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) length += p.length;
        ByteBuffer buffer = ByteBuffer.allocate(length);
        for (byte[] p : parts) buffer.put(p);
        return buffer.array();
    }
}
