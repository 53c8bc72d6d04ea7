package amalgam.engine.tokenize;

import static amalgam.engine.InputException.quote;

import amalgam.engine.InputException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One object of a tokenizer.json with the file and the JSON path it came from, so that every complaint about a
 * field names both ({@code tokenizer.json: pre_tokenizer.pretokenizers[1].behavior must be a string}).
 */
record ConfigNode(JsonNode json, String file, String path) {

    /** The {@code type} tag every component object carries. */
    String type() {
        return string("type");
    }

    String string(String field) {
        JsonNode value = json.get(field);
        if (value == null || !value.isTextual()) throw error(field + " must be a string");
        return value.textValue();
    }

    String string(String field, String fallback) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) return fallback;
        if (!value.isTextual()) throw error(field + " must be a string");
        return value.textValue();
    }

    /** A field that may be a string or null (absent counts as null). */
    /** A string field that must hold exactly one character (one code point), such as Metaspace's ▁. */
    String character(String field) {
        String value = string(field);
        if (value.codePointCount(0, value.length()) != 1) {
            throw error(field + " must be one character, found " + quote(value));
        }
        return value;
    }

    Optional<String> optionalString(String field) {
        return Optional.ofNullable(string(field, null));
    }

    boolean bool(String field, boolean fallback) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) return fallback;
        if (!value.isBoolean()) throw error(field + " must be true or false");
        return value.booleanValue();
    }

    int integer(String field) {
        JsonNode value = json.get(field);
        if (value == null || !value.canConvertToInt() || !value.isIntegralNumber()) {
            throw error(field + " must be an integer");
        }
        return value.intValue();
    }

    int integer(String field, int fallback) {
        JsonNode value = json.get(field);
        return value == null || value.isNull() ? fallback : integer(field);
    }

    boolean has(String field) {
        JsonNode value = json.get(field);
        return value != null && !value.isNull();
    }

    /** A nested object; null where the field is absent or JSON null. */
    ConfigNode object(String field) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) return null;
        if (!value.isObject()) throw error(field + " must be an object");
        return new ConfigNode(value, file, path.isEmpty() ? field : path + "." + field);
    }

    ConfigNode requiredObject(String field) {
        ConfigNode child = object(field);
        if (child == null) throw error(field + " is missing");
        return child;
    }

    /** The elements of an array field, each with its index in the path. */
    List<ConfigNode> array(String field) {
        JsonNode value = json.get(field);
        if (value == null || !value.isArray()) throw error(field + " must be an array");
        List<ConfigNode> out = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            out.add(new ConfigNode(value.get(i), file, (path.isEmpty() ? field : path + "." + field) + "[" + i + "]"));
        }
        return out;
    }

    InputException unsupported(String category) {
        return new InputException(file, "unsupported " + category + " type " + quote(type())
                + (path.isEmpty() ? "" : " at " + path));
    }

    InputException error(String what) {
        return new InputException(file, (path.isEmpty() ? "" : path + ".") + what);
    }
}
