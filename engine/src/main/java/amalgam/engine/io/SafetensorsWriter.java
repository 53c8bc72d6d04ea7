package amalgam.engine.io;

import static amalgam.engine.InputException.quote;

import amalgam.kernels.FloatSegments;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a safetensors file whose tensors arrive one at a time, in any order: the layout (tensors in name order,
 * contiguous) is fixed from the declared specs up front, the header written first, and each tensor converted from
 * fp32 and written at its offset. A merge can thus stream module by module with one module in memory.
 *
 * <p>The header is padded with spaces to a multiple of 8 bytes so that readers can map tensors aligned.
 * F16 and BF16 are rounded to nearest, ties to even; NaN stays NaN ({@link HalfFloats}).
 */
public final class SafetensorsWriter implements AutoCloseable {

    /**
     * A tensor to be written: its name, shape and the type it is stored as. Any type can be copied as stored
     * ({@link #copy}); only {@link FileDType#writable} ones can be converted from fp32 ({@link #write}).
     */
    public record Spec(String name, long[] shape, FileDType dtype) {
        public Spec {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }
    }

    private static final int CHUNK_BYTES = 1 << 20;
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final FileChannel channel;
    private final Map<String, TensorInfo> layout;
    private final long dataStart;
    /** The file's length when complete: {@link #copy} leaves zero chunks unwritten, which may include the tail. */
    private final long fileSize;
    private final Set<String> written = new HashSet<>();
    private final ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK_BYTES);
    /** The chunk's memory as a segment, taken while the buffer is whole (a segment views only position..limit). */
    private final MemorySegment chunkSegment = MemorySegment.ofBuffer(chunk);

    private SafetensorsWriter(Path path, FileChannel channel, Map<String, TensorInfo> layout, long dataStart) {
        this.path = path;
        this.channel = channel;
        this.layout = layout;
        this.dataStart = dataStart;
        this.fileSize = dataStart + layout.values().stream().mapToLong(TensorInfo::end).max().orElse(0);
    }

    /** Creates (or truncates) {@code file} and writes its header; then call {@link #write} once per spec. */
    public static SafetensorsWriter create(Path file, List<Spec> specs, Map<String, String> metadata)
            throws IOException {
        Map<String, TensorInfo> layout = layout(specs);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        try {
            long headerLength = writeHeader(channel, layout, metadata);
            return new SafetensorsWriter(file, channel, layout, 8L + headerLength);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static Map<String, TensorInfo> layout(List<Spec> specs) {
        List<Spec> sorted = new ArrayList<>(specs);
        sorted.sort(Comparator.comparing(Spec::name));
        Map<String, TensorInfo> layout = new LinkedHashMap<>();
        long offset = 0;
        for (Spec spec : sorted) {
            if (spec.name().equals(SafetensorsHeader.METADATA_KEY)) {
                throw new IllegalArgumentException("a tensor cannot be called " + SafetensorsHeader.METADATA_KEY);
            }
            long count = 1;
            for (long d : spec.shape()) {
                if (d < 0) throw new IllegalArgumentException("negative dimension in " + spec.name());
                count = Math.multiplyExact(count, d);
            }
            long end = Math.addExact(offset, Math.multiplyExact(count, spec.dtype().byteSize()));
            if (layout.put(spec.name(), new TensorInfo(spec.name(), spec.dtype(), spec.shape(), offset, end)) != null) {
                throw new IllegalArgumentException("tensor declared twice: " + spec.name());
            }
            offset = end;
        }
        return layout;
    }

    /**
     * Streams the JSON header into the file after its 8-byte length, pads it with spaces to a multiple of 8 and
     * then writes the length; returns the padded length. Streamed, not built as a tree and a string first: a
     * header of 500k modules is 100 MB as text and took gigabytes of heap as a tree.
     */
    private static long writeHeader(FileChannel channel, Map<String, TensorInfo> layout, Map<String, String> metadata)
            throws IOException {
        channel.position(8);
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), CHUNK_BYTES);
        try (JsonGenerator json = SafetensorsFile.HEADER_JSON.mapper().getFactory().createGenerator(out)) {
            // Closing the stream would close the channel, which goes on to take the tensors.
            json.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            json.writeStartObject();
            if (!metadata.isEmpty()) {
                json.writeObjectFieldStart(SafetensorsHeader.METADATA_KEY);
                for (Map.Entry<String, String> e : metadata.entrySet()) json.writeStringField(e.getKey(), e.getValue());
                json.writeEndObject();
            }
            for (TensorInfo t : layout.values()) {
                json.writeObjectFieldStart(t.name());
                json.writeStringField("dtype", t.dtype().name());
                json.writeArrayFieldStart("shape");
                for (long d : t.shape()) json.writeNumber(d);
                json.writeEndArray();
                json.writeArrayFieldStart("data_offsets");
                json.writeNumber(t.begin());
                json.writeNumber(t.end());
                json.writeEndArray();
                json.writeEndObject();
            }
            json.writeEndObject();
        }
        out.flush();
        long length = channel.position() - 8;
        int padding = (int) (-length & 7);
        ByteBuffer spaces = ByteBuffer.allocate(padding);
        while (spaces.hasRemaining()) spaces.put((byte) ' ');
        writeFully(channel, spaces.flip(), 8 + length);
        writeFully(channel, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(length + padding).flip(), 0);
        return length + padding;
    }

    /** Writes {@code values} (fp32, row-major, at least the spec's element count) as tensor {@code name}. */
    public void write(String name, MemorySegment values) throws IOException {
        TensorInfo t = layout.get(name);
        if (t == null) throw new IllegalArgumentException("tensor was not declared: " + quote(name));
        if (!t.dtype().writable()) throw new IllegalArgumentException("cannot convert to " + t.dtype() + ": " + name);
        if (!written.add(name)) throw new IllegalStateException("tensor written twice: " + quote(name));
        long count = t.elementCount();
        if (FloatSegments.length(values) < count) {
            throw new IllegalArgumentException(quote(name) + " needs " + count + " floats, got "
                    + FloatSegments.length(values));
        }
        int elementBytes = t.dtype().byteSize();
        long perChunk = CHUNK_BYTES / elementBytes;
        long position = dataStart + t.begin();
        for (long first = 0; first < count; first += perChunk) {
            int n = (int) Math.min(perChunk, count - first);
            encode(t.dtype(), values, first, n, chunkSegment);
            chunk.clear().limit(n * elementBytes);
            writeFully(channel, chunk, position);
            position += (long) n * elementBytes;
        }
    }

    /**
     * Writes {@code bytes}, a tensor exactly as stored (as {@link SafetensorsFile#rawBytes} gives it), as tensor
     * {@code name}, which must have been declared with the same type and shape. Chunks of zeros are skipped: the
     * file is new, so they read as zeros anyway, and a sparse input stays sparse in the output.
     */
    public void copy(String name, MemorySegment bytes) throws IOException {
        TensorInfo t = layout.get(name);
        if (t == null) throw new IllegalArgumentException("tensor was not declared: " + quote(name));
        if (bytes.byteSize() != t.byteSize()) {
            throw new IllegalArgumentException(quote(name) + " needs " + t.byteSize() + " bytes, got " + bytes.byteSize());
        }
        if (!written.add(name)) throw new IllegalStateException("tensor written twice: " + quote(name));
        MemorySegment zeros = MemorySegment.ofArray(new byte[CHUNK_BYTES]);
        for (long first = 0; first < t.byteSize(); first += CHUNK_BYTES) {
            long n = Math.min(CHUNK_BYTES, t.byteSize() - first);
            MemorySegment part = bytes.asSlice(first, n);
            if (part.mismatch(zeros.asSlice(0, n)) == -1) continue;
            chunk.clear().limit((int) n);
            MemorySegment.copy(part, 0, chunkSegment, 0, n);
            writeFully(channel, chunk, dataStart + t.begin() + first);
        }
    }

    private static void encode(FileDType dtype, MemorySegment values, long first, int n, MemorySegment out) {
        switch (dtype) {
            case F32 -> MemorySegment.copy(values, FloatSegments.FLOAT, first * 4, out, F32_LE, 0, n);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out.set(U16_LE, 2L * i, HalfFloats.floatToF16(FloatSegments.get(values, first + i)));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out.set(U16_LE, 2L * i, HalfFloats.floatToBf16(FloatSegments.get(values, first + i)));
                }
            }
            case F64 -> throw new IllegalStateException("F64 is not writable");
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) position += channel.write(buffer, position);
    }

    /**
     * Closes the file. Throws when a declared tensor was never written, since the file would then hold zeros
     * where data was promised; callers writing into an {@link AtomicOutput} then discard it.
     */
    @Override
    public void close() throws IOException {
        try {
            if (channel.isOpen() && channel.size() < fileSize) writeFully(channel, ByteBuffer.allocate(1), fileSize - 1);
        } finally {
            channel.close();
        }
        for (String name : layout.keySet()) {
            if (!written.contains(name)) {
                throw new IllegalStateException(path + ": tensor " + quote(name) + " was declared but never written");
            }
        }
    }
}
