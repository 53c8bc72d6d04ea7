package amalgam.engine.io;

import static amalgam.engine.io.SafetensorsRoundTripTest.entry;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.engine.InputException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One test per way a safetensors file can be malformed: each ends in an InputException naming the culprit. */
class SafetensorsValidationTest {

    @TempDir
    Path dir;

    private static final byte[] EIGHT_BYTES = RawSafetensors.f32(1, 2);

    private Path file(String header, byte[] data) throws IOException {
        return RawSafetensors.write(dir.resolve("bad.safetensors"), header, data);
    }

    /** Opening fails with an InputException whose single-line message names the file and every fragment. */
    private static String assertRejected(Path file, String... fragments) {
        InputException e = assertThrows(InputException.class, () -> Safetensors.open(file).close());
        String message = e.getMessage();
        assertTrue(message.startsWith(file.toString() + ":"), message);
        assertFalse(message.contains("\n"), message);
        for (String fragment : fragments) assertTrue(message.contains(fragment), () -> message + " lacks " + fragment);
        return message;
    }

    @Test
    void missingFile() {
        assertRejected(dir.resolve("absent.safetensors"), "no such file");
    }

    @Test
    void directoryInsteadOfFile() {
        assertRejected(dir, "is a directory");
    }

    @Test
    void truncatedBeforeTheLengthPrefix() throws IOException {
        Path file = Files.write(dir.resolve("short.safetensors"), new byte[] {5, 0, 0});
        assertRejected(file, "3 bytes", "too short");
    }

    @Test
    void emptyFile() throws IOException {
        assertRejected(Files.write(dir.resolve("empty.safetensors"), new byte[0]), "0 bytes");
    }

    @Test
    void headerLengthBeyondTheFile() throws IOException {
        Path file = RawSafetensors.writeWithLength(dir.resolve("t.safetensors"), 1000, "{}".getBytes(), new byte[0]);
        assertRejected(file, "header length 1000 exceeds the file");
    }

    @Test
    void headerLengthAboveLongMaxValue() throws IOException {
        Path file = RawSafetensors.writeWithLength(dir.resolve("t.safetensors"), -2, "{}".getBytes(), new byte[0]);
        assertRejected(file, "header length 18446744073709551614");
    }

    /** A file large enough to hold the claimed header, but the claim is above the cap: refused before reading it. */
    @Test
    void headerLengthAboveTheCap() throws IOException {
        Path file = dir.resolve("huge.safetensors");
        RawSafetensors.writeWithLength(file, SafetensorsFile.MAX_HEADER_BYTES + 1, new byte[0], new byte[0]);
        try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
            sparse.setLength(SafetensorsFile.MAX_HEADER_BYTES + 64);  // sparse: no disk used
        }
        assertRejected(file, "exceeds the limit");
    }

    @Test
    void truncatedDataSection() throws IOException {
        assertRejected(file("{" + entry("w", "F32", "[4]", 0, 16) + "}", EIGHT_BYTES), "'w'", "run past the data");
    }

    @Test
    void headerIsNotJson() throws IOException {
        assertRejected(file("not json at all", new byte[0]), "not valid JSON");
    }

    @Test
    void headerIsTruncatedJson() throws IOException {
        assertRejected(file("{\"w\":{\"dtype\":\"F32\"", new byte[0]), "not valid JSON");
    }

    @Test
    void headerIsNotUtf8() throws IOException {
        byte[] header = {'{', '"', (byte) 0xff, (byte) 0xfe, '"', ':', '1', '}'};
        Path file = RawSafetensors.writeWithLength(dir.resolve("t.safetensors"), header.length, header, new byte[0]);
        assertRejected(file, "not valid JSON");
    }

    @Test
    void headerIsAnArray() throws IOException {
        assertRejected(file("[1, 2, 3]", new byte[0]), "must be an object", "array");
    }

    @Test
    void headerHasTrailingGarbage() throws IOException {
        assertRejected(file("{} {}", new byte[0]), "not valid JSON");
    }

    @Test
    void deeplyNestedHeaderIsRefusedAtItsFirstUnexpectedToken() throws IOException {
        String deep = "{\"w\":{\"shape\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}}";
        assertRejected(file(deep, new byte[0]), "'w'", "shape must contain integers, found array");
    }

    @Test
    void emptyHeader() throws IOException {
        assertRejected(file("", new byte[0]), "empty JSON");
        assertRejected(file("        ", new byte[0]), "empty JSON");
    }

    @Test
    void tooManyDimensions() throws IOException {
        String shape = "[" + "1,".repeat(SafetensorsHeader.MAX_DIMENSIONS) + "1]";
        assertRejected(file("{" + entry("w", "F32", shape, 0, 4) + "}", RawSafetensors.f32(1)), "'w'",
                "at most 64 entries");
    }

    @Test
    void entryIsNotAnObject() throws IOException {
        assertRejected(file("{\"w\": 3}", new byte[0]), "'w'", "must be an object");
    }

    @Test
    void unknownDtype() throws IOException {
        assertRejected(file("{" + entry("w", "I64", "[1]", 0, 8) + "}", EIGHT_BYTES), "'w'", "unsupported dtype 'I64'");
    }

    @Test
    void dtypeNotAString() throws IOException {
        assertRejected(file("{\"w\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}", EIGHT_BYTES), "'w'",
                "dtype must be a string");
    }

    @Test
    void missingShape() throws IOException {
        assertRejected(file("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", EIGHT_BYTES), "'w'", "missing shape");
    }

    @Test
    void unknownEntryField() throws IOException {
        assertRejected(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"extra\":1}}", EIGHT_BYTES),
                "'w'", "unknown header field 'extra'");
    }

    @Test
    void negativeShape() throws IOException {
        assertRejected(file("{" + entry("w", "F32", "[-2]", 0, 8) + "}", EIGHT_BYTES), "'w'", "negative");
    }

    @Test
    void fractionalShape() throws IOException {
        assertRejected(file("{" + entry("w", "F32", "[2.0]", 0, 8) + "}", EIGHT_BYTES), "'w'", "integers");
    }

    @Test
    void shapeBeyondLong() throws IOException {
        assertRejected(file("{" + entry("w", "F32", "[99999999999999999999]", 0, 8) + "}", EIGHT_BYTES), "'w'",
                "too large");
    }

    @Test
    void shapeProductOverflows() throws IOException {
        assertRejected(file("{" + entry("w", "F32", "[4294967296,4294967296]", 0, 8) + "}", EIGHT_BYTES), "'w'",
                "overflows");
    }

    @Test
    void shapeTimesDtypeOverflows() throws IOException {
        assertRejected(file("{" + entry("w", "F64", "[4611686018427387904]", 0, 8) + "}", EIGHT_BYTES), "'w'",
                "overflows");
    }

    @Test
    void hugeNumberLiteral() throws IOException {
        assertRejected(file("{" + entry("w", "F32", "[" + "9".repeat(5000) + "]", 0, 8) + "}", EIGHT_BYTES),
                "not valid JSON");
    }

    @Test
    void shapeDisagreesWithByteSize() throws IOException {
        assertRejected(file("{" + entry("w", "F32", "[3]", 0, 8) + "}", EIGHT_BYTES), "'w'", "needs 12 bytes",
                "hold 8");
    }

    @Test
    void offsetsNotAPair() throws IOException {
        assertRejected(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4,8]}}", EIGHT_BYTES), "'w'",
                "2 entries");
    }

    @Test
    void offsetsReversed() throws IOException {
        assertRejected(file("{" + entry("w", "F32", "[0]", 8, 0) + "}", EIGHT_BYTES), "'w'", "end before");
    }

    @Test
    void offsetsOutOfRange() throws IOException {
        assertRejected(file("{" + entry("w", "F32", "[2]", 8, 16) + "}", EIGHT_BYTES), "'w'", "run past the data");
    }

    @Test
    void overlappingOffsets() throws IOException {
        String header = "{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[1]", 4, 8) + "}";
        assertRejected(file(header, EIGHT_BYTES), "'b'", "overlap tensor 'a'");
    }

    @Test
    void gapBetweenTensors() throws IOException {
        String header = "{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F32", "[1]", 8, 12) + "}";
        assertRejected(file(header, RawSafetensors.f32(1, 2, 3)), "'b'", "gap of 4 bytes after tensor 'a'");
    }

    @Test
    void dataNotStartingAtZero() throws IOException {
        assertRejected(file("{" + entry("a", "F32", "[1]", 4, 8) + "}", EIGHT_BYTES), "'a'", "gap of 4 bytes");
    }

    @Test
    void trailingBytesAfterTheLastTensor() throws IOException {
        assertRejected(file("{" + entry("a", "F32", "[1]", 0, 4) + "}", EIGHT_BYTES), "cover 4 bytes",
                "data section has 8");
    }

    @Test
    void duplicateTensorNames() throws IOException {
        String header = "{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("a", "F32", "[1]", 4, 8) + "}";
        assertRejected(file(header, EIGHT_BYTES), "Duplicate field 'a'");
    }

    @Test
    void metadataNotStrings() throws IOException {
        assertRejected(file("{\"__metadata__\":{\"format\":1}}", new byte[0]), "__metadata__", "'format'");
    }

    @Test
    void metadataNotAnObject() throws IOException {
        assertRejected(file("{\"__metadata__\":[]}", new byte[0]), "__metadata__ must be an object");
    }

    @Test
    void hostileTensorNameIsQuotedOnOneLine() throws IOException {
        String name = "evil\\nname" + "x".repeat(1000);
        String message = assertRejected(file("{" + entry(name, "I8", "[1]", 0, 1) + "}", new byte[] {1}), "evil\\u000a",
                "chars)");
        assertTrue(message.length() < 400, message);
    }

    @Test
    void emptyHeaderWithNoDataIsValid() throws IOException {
        try (SafetensorsFile f = Safetensors.open(file("{}", new byte[0]))) {
            assertTrue(f.tensors().isEmpty());
        }
    }
}
