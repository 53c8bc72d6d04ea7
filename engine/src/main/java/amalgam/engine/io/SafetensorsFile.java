package amalgam.engine.io;

import static amalgam.engine.InputException.quote;

import amalgam.kernels.FloatSegments;
import amalgam.engine.InputException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A safetensors file opened for reading: the validated header, and the file memory-mapped so that tensors are
 * converted to fp32 one at a time, on demand ({@link #load}) — a merge streams module by module and never holds
 * the whole file in memory.
 *
 * <p>Everything the header claims is checked against the file's size before anything is allocated from it (see
 * {@link SafetensorsHeader}). Tensors may sit at any byte offset: reads use unaligned little-endian layouts.
 * Loads are thread-safe; {@link #close} unmaps the file and must come after the last load.
 */
public final class SafetensorsFile implements AutoCloseable {

    /** Same cap as the reference implementation: real headers are kilobytes, even for thousands of tensors. */
    public static final long MAX_HEADER_BYTES = 100L << 20;
    /** Shared: building a Jackson mapper costs far more than parsing a typical header. */
    static final StrictJson HEADER_JSON = new StrictJson(MAX_HEADER_BYTES);

    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64_LE =
            ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final SafetensorsHeader header;
    private final Map<String, TensorInfo> byName;
    private final Arena arena;
    private final MemorySegment data;

    private SafetensorsFile(Path path, SafetensorsHeader header, Arena arena, MemorySegment data) {
        this.path = path;
        this.header = header;
        this.byName = header.tensors().stream().collect(Collectors.toUnmodifiableMap(TensorInfo::name, t -> t));
        this.arena = arena;
        this.data = data;
    }

    /** Opens and validates {@code path}; every problem with it is an {@link InputException} naming the file. */
    public static SafetensorsFile open(Path path) {
        String where = path.toString();
        if (Files.isDirectory(path)) throw new InputException(where, "is a directory, expected a .safetensors file");
        // A FIFO or device would block or never end; only a plain file has a size we can validate against.
        if (Files.exists(path) && !Files.isRegularFile(path)) throw new InputException(where, "is not a regular file");
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            long headerLength = readHeaderLength(channel, size, where);
            byte[] headerBytes = readFully(channel, 8, (int) headerLength, where);
            SafetensorsHeader header = SafetensorsHeader.parse(HEADER_JSON, headerBytes, size - 8 - headerLength, where);
            Arena arena = Arena.ofShared();
            try {
                MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
                return new SafetensorsFile(path, header, arena, mapped.asSlice(8 + headerLength));
            } catch (IOException | RuntimeException e) {
                arena.close();
                throw e;
            }
        } catch (NoSuchFileException e) {
            throw new InputException(where, "no such file", e);
        } catch (AccessDeniedException e) {
            throw new InputException(where, "permission denied", e);
        } catch (IOException e) {
            throw new InputException(where, "cannot read: " + e.getMessage(), e);
        }
    }

    /** The header length, checked against the cap and the file size before anyone allocates that many bytes. */
    private static long readHeaderLength(FileChannel channel, long size, String where) throws IOException {
        if (size < 8) {
            throw new InputException(where, "file is " + size + " bytes, too short for a safetensors header "
                    + "(truncated or not a safetensors file)");
        }
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        while (prefix.hasRemaining()) {
            if (channel.read(prefix, prefix.position()) < 0) throw new InputException(where, "file shrank while read");
        }
        long headerLength = prefix.getLong(0);
        // An unsigned 64-bit length above Long.MAX_VALUE reads as negative here: beyond every limit either way.
        if (headerLength < 0 || headerLength > size - 8) {
            throw new InputException(where, "header length " + Long.toUnsignedString(headerLength)
                    + " exceeds the file (" + size + " bytes): truncated or not a safetensors file");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw new InputException(where, "header length " + headerLength + " exceeds the limit of "
                    + MAX_HEADER_BYTES + " bytes");
        }
        return headerLength;
    }

    private static byte[] readFully(FileChannel channel, long position, int length, String where) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new InputException(where, "file shrank while read");
            }
        }
        return buffer.array();
    }

    public Path path() {
        return path;
    }

    /** Every tensor, sorted by name. */
    public List<TensorInfo> tensors() {
        return header.tensors();
    }

    public Optional<TensorInfo> tensor(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The {@code __metadata__} map, in file order (empty when the file has none). */
    public Map<String, String> metadata() {
        return header.metadata();
    }

    /** A new 64-byte-aligned fp32 segment in {@code target} holding {@code tensor}'s elements, row-major. */
    public MemorySegment load(TensorInfo tensor, Arena target) {
        MemorySegment out = FloatSegments.allocate(target, tensor.elementCount());
        readInto(tensor, out, 0);
        return out;
    }

    /** {@link #load} by name; an absent name is an {@link InputException} naming the file and tensor. */
    public MemorySegment load(String name, Arena target) {
        return load(tensor(name).orElseThrow(() -> new InputException(path + ": tensor " + quote(name), "not found")),
                target);
    }

    /**
     * Converts {@code tensor} to fp32 into {@code target} starting at element {@code targetIndex}. F64 values
     * beyond fp32's range become infinities, which {@code LoraAdapter}'s finiteness check then reports.
     */
    public void readInto(TensorInfo tensor, MemorySegment target, long targetIndex) {
        readInto(tensor, 0, tensor.elementCount(), target, targetIndex);
    }

    /**
     * Converts elements {@code first} to {@code first + count} (row-major) of {@code tensor} to fp32 into
     * {@code target} from element {@code targetIndex}: for reading a tensor larger than memory block by block.
     */
    public void readInto(TensorInfo tensor, long first, long count, MemorySegment target, long targetIndex) {
        java.util.Objects.checkFromIndexSize(first, count, tensor.elementCount());
        try {
            convert(tensor, first, count, target, targetIndex);
        } catch (InternalError e) {
            // What the JVM throws when a mapped page vanished: someone truncated the file after we validated it.
            throw new InputException(path + ": tensor " + quote(tensor.name()), "file changed while being read", e);
        }
    }

    private void convert(TensorInfo tensor, long first, long n, MemorySegment target, long targetIndex) {
        long size = tensor.dtype().byteSize();
        MemorySegment source = data.asSlice(tensor.begin() + first * size, n * size);
        long targetByte = targetIndex * Float.BYTES;
        switch (tensor.dtype()) {
            case F32 -> MemorySegment.copy(source, F32_LE, 0, target, FloatSegments.FLOAT, targetByte, n);
            case F16 -> {
                for (long i = 0; i < n; i++) {
                    target.set(FloatSegments.FLOAT, targetByte + i * 4, HalfFloats.f16ToFloat(source.get(U16_LE, i * 2)));
                }
            }
            case BF16 -> {
                for (long i = 0; i < n; i++) {
                    target.set(FloatSegments.FLOAT, targetByte + i * 4, HalfFloats.bf16ToFloat(source.get(U16_LE, i * 2)));
                }
            }
            case F64 -> {
                for (long i = 0; i < n; i++) {
                    target.set(FloatSegments.FLOAT, targetByte + i * 4, (float) source.get(F64_LE, i * 8));
                }
            }
        }
    }

    /** The tensor's bytes exactly as stored (little-endian, possibly unaligned); valid until {@link #close}. */
    public MemorySegment rawBytes(TensorInfo tensor) {
        return data.asSlice(tensor.begin(), tensor.byteSize()).asReadOnly();
    }

    @Override
    public void close() {
        arena.close();
    }
}
