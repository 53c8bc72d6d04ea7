package amalgam.engine.io;

import static amalgam.engine.InputException.quote;

import amalgam.engine.InputException;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and fully validated JSON header of a safetensors file. Validation is against the real size of the
 * data section, so that nothing later trusts a number the file made up: every tensor's byte range lies inside the
 * data section, matches its shape and dtype, and the ranges tile the data section exactly (the format requires
 * it, and it rules out overlaps that would let one tensor alias another).
 *
 * <p>The header is read token by token rather than as a JSON tree: memory stays proportional to what we keep
 * (a few dozen bytes per tensor, no more than the header's own size), and a structure we do not expect is refused
 * at its first token instead of being built first.
 *
 * @param tensors  entries sorted by name
 * @param metadata the free-form {@code __metadata__} string map, in file order (empty when absent)
 */
public record SafetensorsHeader(List<TensorInfo> tensors, Map<String, String> metadata) {

    static final String METADATA_KEY = "__metadata__";
    /** PyTorch's own limit on tensor dimensions; more is an attack on our memory, not a tensor. */
    static final int MAX_DIMENSIONS = 64;

    public SafetensorsHeader {
        tensors = List.copyOf(tensors);
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /**
     * Parses and validates {@code json} as the header of a file whose data section is {@code dataSize} bytes;
     * {@code file} names the file in errors.
     */
    static SafetensorsHeader parse(StrictJson strictJson, byte[] json, long dataSize, String file) {
        List<TensorInfo> tensors = new ArrayList<>();
        Map<String, String> metadata = Map.of();
        try (JsonParser parser = strictJson.parser(json)) {
            JsonToken first = parser.nextToken();
            if (first == null) throw new InputException(file + ": header", "empty JSON document");
            if (first != JsonToken.START_OBJECT) {
                throw new InputException(file + ": header", "JSON must be an object, found " + describe(first));
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                if (name.equals(METADATA_KEY)) metadata = metadata(parser, file);
                else tensors.add(entry(name, parser, dataSize, file));
            }
            if (parser.nextToken() != null) {
                throw new InputException(file + ": header", "not valid JSON: content after the header object");
            }
        } catch (JacksonException e) {
            throw new InputException(file + ": header", "not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InputException(file + ": header", "cannot parse: " + e.getMessage(), e);
        }
        checkTiling(tensors, dataSize, file);
        tensors.sort(Comparator.comparing(TensorInfo::name));
        return new SafetensorsHeader(tensors, metadata);
    }

    private static Map<String, String> metadata(JsonParser parser, String file) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw new InputException(file, METADATA_KEY + " must be an object of strings");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            if (parser.nextToken() != JsonToken.VALUE_STRING) {
                throw new InputException(file, METADATA_KEY + " value " + quote(key) + " must be a string");
            }
            metadata.put(key, parser.getText());
        }
        return metadata;
    }

    private static TensorInfo entry(String name, JsonParser parser, long dataSize, String file) throws IOException {
        String where = file + ": tensor " + quote(name);
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw new InputException(where, "header entry must be an object");
        }
        FileDType dtype = null;
        long[] shape = null;
        long[] offsets = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            parser.nextToken();
            switch (field) {
                case "dtype" -> dtype = dtype(parser, where);
                case "shape" -> shape = nonNegativeLongs(parser, "shape", MAX_DIMENSIONS, where);
                case "data_offsets" -> offsets = nonNegativeLongs(parser, "data_offsets", 2, where);
                default -> throw new InputException(where, "unknown header field " + quote(field)
                        + " (expected dtype, shape, data_offsets)");
            }
        }
        if (dtype == null) throw new InputException(where, "missing dtype");
        if (shape == null) throw new InputException(where, "missing shape");
        if (offsets == null) throw new InputException(where, "missing data_offsets");
        if (offsets.length != 2) {
            throw new InputException(where, "data_offsets must have 2 entries, found " + offsets.length);
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end) {
            throw new InputException(where, "data_offsets [" + begin + ", " + end + "] end before they begin");
        }
        if (end > dataSize) {
            throw new InputException(where, "data_offsets [" + begin + ", " + end + "] run past the data section ("
                    + dataSize + " bytes)");
        }
        long expectedBytes = byteSize(shape, dtype, where);
        if (expectedBytes != end - begin) {
            throw new InputException(where, "shape " + Arrays.toString(shape) + " of " + dtype + " needs "
                    + expectedBytes + " bytes but data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static FileDType dtype(JsonParser parser, String where) throws IOException {
        if (parser.currentToken() != JsonToken.VALUE_STRING) throw new InputException(where, "dtype must be a string");
        String name = parser.getText();
        return FileDType.fromSafetensorsName(name).orElseThrow(() -> new InputException(where,
                "unsupported dtype " + quote(name) + " (supported: F32, F16, BF16, F64)"));
    }

    /** A JSON array of at most {@code limit} non-negative integers that fit in a long. */
    private static long[] nonNegativeLongs(JsonParser parser, String field, int limit, String where)
            throws IOException {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            throw new InputException(where, field + " must be an array of integers");
        }
        // Sized for a typical shape and grown on demand: a 64-slot array per tensor was most of a header's garbage.
        long[] values = new long[Math.min(limit, 4)];
        int count = 0;
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (token != JsonToken.VALUE_NUMBER_INT) {
                throw new InputException(where, field + " must contain integers, found " + describe(token));
            }
            if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER || parser.getLongValue() < 0) {
                throw new InputException(where, field + " entry " + parser.getText() + " is negative or too large");
            }
            if (count == limit) {
                throw new InputException(where, field + " must have at most " + limit + " entries"
                        + (limit == 2 ? " (2 entries: begin, end)" : ""));
            }
            if (count == values.length) values = Arrays.copyOf(values, Math.min(limit, 2 * count));
            values[count++] = parser.getLongValue();
        }
        return Arrays.copyOf(values, count);
    }

    private static long byteSize(long[] shape, FileDType dtype, String where) {
        try {
            long count = 1;
            for (long d : shape) count = Math.multiplyExact(count, d);
            return Math.multiplyExact(count, dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new InputException(where, "shape " + Arrays.toString(shape) + " overflows 64-bit sizes");
        }
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case START_ARRAY -> "array";
            case START_OBJECT -> "object";
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case VALUE_NULL -> "null";
            default -> token.name().toLowerCase();
        };
    }

    /** The byte ranges, in offset order, must start at 0, touch end to start, and end at the data section's end. */
    private static void checkTiling(List<TensorInfo> tensors, long dataSize, String file) {
        List<TensorInfo> byOffset = new ArrayList<>(tensors);
        byOffset.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long expectedBegin = 0;
        TensorInfo previous = null;
        for (TensorInfo t : byOffset) {
            if (t.begin() < expectedBegin) {
                throw new InputException(file + ": tensor " + quote(t.name()), "data_offsets [" + t.begin() + ", "
                        + t.end() + "] overlap tensor " + quote(previous.name()) + " [" + previous.begin() + ", "
                        + previous.end() + "]");
            }
            if (t.begin() > expectedBegin) {
                throw new InputException(file + ": tensor " + quote(t.name()), "data_offsets [" + t.begin() + ", "
                        + t.end() + "] leave a gap of " + (t.begin() - expectedBegin) + " bytes after "
                        + (previous == null ? "the start of the data section" : "tensor " + quote(previous.name())));
            }
            expectedBegin = t.end();
            previous = t;
        }
        if (expectedBegin != dataSize) {
            throw new InputException(file, "tensors cover " + expectedBegin + " bytes but the data section has "
                    + dataSize + " (truncated file or trailing garbage)");
        }
    }
}
