package amalgam.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.kernels.FloatSegments;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SafetensorsRoundTripTest {

    @TempDir
    Path dir;

    private static final long[][] SHAPES = {{}, {0}, {1}, {7}, {3, 5}, {33, 2}, {2, 0, 3}, {257}};

    @ParameterizedTest
    @EnumSource(value = FileDType.class, names = {"F32", "F16", "BF16"})
    void writesAndReadsBackBitExactly(FileDType dtype) throws IOException {
        Random random = new Random(7);
        try (Arena arena = Arena.ofConfined()) {
            Map<String, FloatTensor> tensors = new LinkedHashMap<>();
            for (int i = 0; i < SHAPES.length; i++) {
                long[] shape = SHAPES[i];
                FloatTensor t = new FloatTensor(shape, FloatSegments.allocate(arena, count(shape)));
                for (long k = 0; k < count(shape); k++) FloatSegments.set(t.data(), k, value(random, k));
                tensors.put("t" + (SHAPES.length - i), t);  // names not in insertion order on purpose
            }
            Path file = dir.resolve("x.safetensors");
            Safetensors.write(file, tensors, Map.of("format", "pt"), dtype);

            try (SafetensorsFile read = Safetensors.open(file)) {
                assertEquals(Map.of("format", "pt"), read.metadata());
                assertEquals(tensors.size(), read.tensors().size());
                for (Map.Entry<String, FloatTensor> e : tensors.entrySet()) {
                    TensorInfo info = read.tensor(e.getKey()).orElseThrow();
                    assertEquals(dtype, info.dtype());
                    assertArrayEquals(e.getValue().shape(), info.shape());
                    MemorySegment loaded = read.load(info, arena);
                    assertEquals(0, loaded.address() % FloatSegments.ALIGNMENT, "loads are 64-byte aligned");
                    for (long k = 0; k < info.elementCount(); k++) {
                        float original = FloatSegments.get(e.getValue().data(), k);
                        assertEquals(Float.floatToRawIntBits(rounded(dtype, original)),
                                Float.floatToRawIntBits(FloatSegments.get(loaded, k)),
                                e.getKey() + "[" + k + "] = " + original);
                    }
                }
            }
        }
    }

    /** Random values with the special ones mixed in: ±0, ±∞, NaN, subnormals, the largest float. */
    private static float value(Random random, long k) {
        return switch ((int) (k % 11)) {
            case 0 -> -0.0f;
            case 1 -> Float.NaN;
            case 2 -> Float.NEGATIVE_INFINITY;
            case 3 -> Float.MIN_VALUE * (1 + random.nextInt(1000));
            case 4 -> Float.MAX_VALUE;
            default -> (float) (random.nextGaussian() * Math.pow(10, random.nextInt(9) - 4));
        };
    }

    private static float rounded(FileDType dtype, float x) {
        return switch (dtype) {
            case F32 -> x;
            case F16 -> HalfFloats.f16ToFloat(HalfFloats.floatToF16(x));
            case BF16 -> HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(x));
            case F64 -> throw new AssertionError();
        };
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    @Test
    void writtenLayoutIsPaddedSortedAndContiguous() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Map<String, FloatTensor> tensors = new LinkedHashMap<>();
            tensors.put("b", new FloatTensor(new long[] {3}, FloatSegments.of(arena, 1, 2, 3)));
            tensors.put("a", new FloatTensor(new long[] {1}, FloatSegments.of(arena, 4)));
            tensors.put("c", new FloatTensor(new long[] {2}, FloatSegments.of(arena, 5, 6)));
            Path file = dir.resolve("layout.safetensors");
            Safetensors.write(file, tensors, Map.of(), FileDType.F32);

            byte[] bytes = Files.readAllBytes(file);
            long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            assertEquals(0, (8 + headerLength) % 8, "data section starts 8-byte aligned");
            String headerText = new String(bytes, 8, (int) headerLength, java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(headerText.stripTrailing().endsWith("}"), "JSON, then nothing but padding spaces");
            // Data section in name order: a, b, c.
            ByteBuffer data = ByteBuffer.wrap(bytes, (int) (8 + headerLength), 24).order(ByteOrder.LITTLE_ENDIAN);
            float[] values = new float[6];
            for (int i = 0; i < 6; i++) values[i] = data.getFloat();
            assertArrayEquals(new float[] {4, 1, 2, 3, 5, 6}, values);
            assertEquals(8 + headerLength + 24, bytes.length);
            try (SafetensorsFile read = Safetensors.open(file)) {
                List<String> names = new ArrayList<>();
                read.tensors().forEach(t -> names.add(t.name()));
                assertEquals(List.of("a", "b", "c"), names);
                assertEquals(Map.of(), read.metadata());
            }
        }
    }

    @Test
    void streamingWriterAcceptsTensorsInAnyOrder() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Path inOrder = dir.resolve("in-order.safetensors");
            Path reversed = dir.resolve("reversed.safetensors");
            MemorySegment x = FloatSegments.of(arena, 1.5f, -2.25f);
            MemorySegment y = FloatSegments.of(arena, 3, 4, 5);
            List<SafetensorsWriter.Spec> specs = List.of(
                    new SafetensorsWriter.Spec("x", new long[] {2}, FileDType.BF16),
                    new SafetensorsWriter.Spec("y", new long[] {3, 1}, FileDType.F16));
            try (SafetensorsWriter w = SafetensorsWriter.create(inOrder, specs, Map.of("k", "v"))) {
                w.write("x", x);
                w.write("y", y);
            }
            try (SafetensorsWriter w = SafetensorsWriter.create(reversed, specs, Map.of("k", "v"))) {
                w.write("y", y);
                w.write("x", x);
            }
            assertArrayEquals(Files.readAllBytes(inOrder), Files.readAllBytes(reversed));
        }
    }

    @Test
    void readsMisalignedTensorsOfEveryDtype() throws IOException {
        // Tensors packed back to back after an odd-length header: none of them lands on its natural alignment.
        byte[] f16 = RawSafetensors.u16(0x3c00, 0xc000, 0x3555);   // 1, -2, 0.333251953125
        byte[] f32 = RawSafetensors.f32(0.1f, -7.5f);
        byte[] bf16 = RawSafetensors.u16(0x3f80, 0x4049);           // 1, 3.140625
        byte[] f64 = RawSafetensors.f64(Math.PI, -1e-3);
        byte[] scalar = RawSafetensors.u16(0x4200);                 // 3
        String header = "{" + entry("h", "F16", "[3]", 0, 6) + "," + entry("f", "F32", "[2,1]", 6, 14) + ","
                + entry("z", "F16", "[0]", 14, 14) + "," + entry("b", "BF16", "[2]", 14, 18) + ","
                + entry("d", "F64", "[2]", 18, 34) + "," + entry("s", "F16", "[]", 34, 36) + ","
                + entry("e", "BF16", "[4,0]", 36, 36) + "}";
        if (header.length() % 2 == 0) header += " ";
        Path file = RawSafetensors.write(dir.resolve("odd.safetensors"), header,
                RawSafetensors.concat(f16, f32, bf16, f64, scalar));
        try (SafetensorsFile read = Safetensors.open(file); Arena arena = Arena.ofConfined()) {
            assertArrayEquals(new float[] {1, -2, 0.333251953125f}, load(read, "h", arena));
            assertArrayEquals(new float[] {0.1f, -7.5f}, load(read, "f", arena));
            assertArrayEquals(new float[] {1, 3.140625f}, load(read, "b", arena));
            assertArrayEquals(new float[] {(float) Math.PI, (float) -1e-3}, load(read, "d", arena));
            assertArrayEquals(new float[] {3}, load(read, "s", arena));
            assertEquals(0, read.tensor("z").orElseThrow().elementCount());
            assertEquals(0, read.tensor("e").orElseThrow().elementCount());
            MemorySegment raw = read.rawBytes(read.tensor("f").orElseThrow());
            assertArrayEquals(f32, raw.toArray(ValueLayout.JAVA_BYTE));
        }
    }

    static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin
                + "," + end + "]}";
    }

    private static float[] load(SafetensorsFile file, String name, Arena arena) {
        TensorInfo t = file.tensor(name).orElseThrow();
        return FloatSegments.toArray(file.load(name, arena), 0, (int) t.elementCount());
    }

    @Test
    void readIntoWritesAtTheRequestedElementOffset() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Path file = dir.resolve("into.safetensors");
            Safetensors.write(file, Map.of("v", new FloatTensor(new long[] {2}, FloatSegments.of(arena, 7, 8))),
                    Map.of(), FileDType.F32);
            try (SafetensorsFile read = Safetensors.open(file)) {
                MemorySegment target = FloatSegments.allocate(arena, 5);
                read.readInto(read.tensor("v").orElseThrow(), target, 3);
                assertArrayEquals(new float[] {0, 0, 0, 7, 8}, FloatSegments.toArray(target, 0, 5));
            }
        }
    }

    /**
     * Tensors copied as stored keep every byte (F64 too, which the fp32 writer cannot produce), and a copy whose
     * zero chunks are skipped still makes a whole file when the last tensor is all zeros.
     */
    @Test
    void copiedTensorsKeepTheirBytesAndAZeroTailStillMakesAWholeFile() throws IOException {
        byte[] f64 = RawSafetensors.f64(Math.PI, -1e-300);
        byte[] zeros = new byte[3 << 20];
        String header = "{" + entry("a", "F64", "[2]", 0, 16) + "," + entry("z", "BF16", "[" + zeros.length / 2 + "]",
                16, 16 + zeros.length) + "}";
        Path source = RawSafetensors.write(dir.resolve("source.safetensors"), header, RawSafetensors.concat(f64, zeros));
        Path copy = dir.resolve("copy.safetensors");
        try (SafetensorsFile in = Safetensors.open(source)) {
            List<SafetensorsWriter.Spec> specs = new ArrayList<>();
            for (TensorInfo t : in.tensors()) specs.add(new SafetensorsWriter.Spec(t.name(), t.shape(), t.dtype()));
            try (SafetensorsWriter w = SafetensorsWriter.create(copy, specs, Map.of())) {
                for (TensorInfo t : in.tensors()) w.copy(t.name(), in.rawBytes(t));
            }
            try (SafetensorsFile out = Safetensors.open(copy)) {
                for (TensorInfo t : in.tensors()) {
                    assertEquals(-1, in.rawBytes(t).mismatch(out.rawBytes(out.tensor(t.name()).orElseThrow())), t.name());
                }
            }
        }
    }

    /**
     * The header is streamed into the file: declaring many tensors allocates about what their layout keeps, not a
     * JSON tree and two copies of its text (500k modules took gigabytes of heap, several times the header's size).
     */
    @Test
    void aHeaderOfManyTensorsIsStreamedNotBuiltAsATree() throws IOException {
        List<SafetensorsWriter.Spec> specs = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            specs.add(new SafetensorsWriter.Spec("base_model.model.layers." + i + ".lora_A.weight", new long[] {1, 1},
                    FileDType.F32));
        }
        Path file = dir.resolve("many.safetensors");
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long least = Long.MAX_VALUE;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment one = FloatSegments.of(arena, 1);
            for (int run = 0; run < 3; run++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                try (SafetensorsWriter w = SafetensorsWriter.create(file, specs, Map.of("format", "pt"))) {
                    least = Math.min(least, threads.getCurrentThreadAllocatedBytes() - before);
                    for (SafetensorsWriter.Spec spec : specs) w.write(spec.name(), one);
                }
            }
        }
        try (SafetensorsFile read = Safetensors.open(file)) {
            assertEquals(specs.size(), read.tensors().size());
            assertEquals("pt", read.metadata().get("format"));
        }
        long headerBytes = ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        // The layout alone (a TensorInfo, its shape and a map entry per tensor) is about twice the header's text.
        assertTrue(least < 3 * headerBytes, least + " bytes allocated for a header of " + headerBytes);
    }
}
