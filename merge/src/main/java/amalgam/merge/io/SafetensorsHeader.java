package amalgam.merge.io;

import static amalgam.merge.InputException.quote;

import amalgam.merge.InputException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parsed and fully validated JSON header of a safetensors file. Validation is against the real size of the
 * data section, so that nothing later trusts a number the file made up: every tensor's byte range lies inside the
 * data section, matches its shape and dtype, and the ranges tile the data section exactly (the format requires
 * it, and it rules out overlaps that would let one tensor alias another).
 *
 * @param tensors  entries sorted by name
 * @param metadata the free-form {@code __metadata__} string map, in file order (empty when absent)
 */
public record SafetensorsHeader(List<TensorInfo> tensors, Map<String, String> metadata) {

    static final String METADATA_KEY = "__metadata__";
    private static final Set<String> ENTRY_FIELDS = Set.of("dtype", "shape", "data_offsets");

    public SafetensorsHeader {
        tensors = List.copyOf(tensors);
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /**
     * Validates {@code header} (already parsed as an object) for a file whose data section is {@code dataSize}
     * bytes; {@code file} names the file in errors.
     */
    static SafetensorsHeader validate(ObjectNode header, long dataSize, String file) {
        List<TensorInfo> tensors = new ArrayList<>(header.size());
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : header.properties()) {
            if (field.getKey().equals(METADATA_KEY)) {
                metadata = metadata(field.getValue(), file);
            } else {
                tensors.add(entry(field.getKey(), field.getValue(), dataSize, file));
            }
        }
        checkTiling(tensors, dataSize, file);
        tensors.sort(Comparator.comparing(TensorInfo::name));
        return new SafetensorsHeader(tensors, metadata);
    }

    private static Map<String, String> metadata(JsonNode node, String file) {
        if (!node.isObject()) throw new InputException(file, METADATA_KEY + " must be an object of strings");
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!field.getValue().isTextual()) {
                throw new InputException(file, METADATA_KEY + " value " + quote(field.getKey()) + " must be a string");
            }
            metadata.put(field.getKey(), field.getValue().textValue());
        }
        return metadata;
    }

    private static TensorInfo entry(String name, JsonNode node, long dataSize, String file) {
        String where = file + ": tensor " + quote(name);
        if (!node.isObject()) throw new InputException(where, "header entry must be an object");
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!ENTRY_FIELDS.contains(field.getKey())) {
                throw new InputException(where, "unknown header field " + quote(field.getKey())
                        + " (expected dtype, shape, data_offsets)");
            }
        }
        DType dtype = dtype(node.get("dtype"), where);
        long[] shape = nonNegativeLongs(node.get("shape"), "shape", -1, where);
        long[] offsets = nonNegativeLongs(node.get("data_offsets"), "data_offsets", 2, where);
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
            throw new InputException(where, "shape " + java.util.Arrays.toString(shape) + " of " + dtype + " needs "
                    + expectedBytes + " bytes but data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static DType dtype(JsonNode node, String where) {
        if (node == null) throw new InputException(where, "missing dtype");
        if (!node.isTextual()) throw new InputException(where, "dtype must be a string");
        return DType.fromSafetensorsName(node.textValue()).orElseThrow(() -> new InputException(where,
                "unsupported dtype " + quote(node.textValue()) + " (supported: F32, F16, BF16, F64)"));
    }

    /** A JSON array of non-negative integers that fit in a long; {@code length} −1 means any length. */
    private static long[] nonNegativeLongs(JsonNode node, String field, int length, String where) {
        if (node == null) throw new InputException(where, "missing " + field);
        if (!node.isArray()) throw new InputException(where, field + " must be an array of integers");
        if (length >= 0 && node.size() != length) {
            throw new InputException(where, field + " must have " + length + " entries, found " + node.size());
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode value = node.get(i);
            if (!value.isIntegralNumber()) {
                throw new InputException(where, field + " must contain integers, found " + value);
            }
            if (!value.canConvertToLong() || value.longValue() < 0) {
                throw new InputException(where, field + " entry " + value + " is negative or too large");
            }
            values[i] = value.longValue();
        }
        return values;
    }

    private static long byteSize(long[] shape, DType dtype, String where) {
        try {
            long count = 1;
            for (long d : shape) count = Math.multiplyExact(count, d);
            return Math.multiplyExact(count, dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new InputException(where, "shape " + java.util.Arrays.toString(shape) + " overflows 64-bit sizes");
        }
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
