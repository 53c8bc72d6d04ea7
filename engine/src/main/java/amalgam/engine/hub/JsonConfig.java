package amalgam.engine.hub;

import static amalgam.engine.InputException.quote;

import amalgam.engine.InputException;
import amalgam.engine.io.StrictJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One JSON object of a model directory (config.json, preprocessor_config.json, a nested rope block) with typed
 * getters whose errors name the file and key, so a model's definition reads its fields in one line each.
 */
public final class JsonConfig {

    /** Real configs are kilobytes; tokenizer.json is read elsewhere. */
    private static final StrictJson JSON = new StrictJson(16L << 20);

    private final ObjectNode node;
    private final String where;

    private JsonConfig(ObjectNode node, String where) {
        this.node = node;
        this.where = where;
    }

    public static JsonConfig read(Path file) {
        try {
            return new JsonConfig(JSON.parseObject(Files.readAllBytes(file), file.toString()), file.toString());
        } catch (NoSuchFileException e) {
            throw new InputException(file.toString(), "no such file", e);
        } catch (IOException e) {
            throw new InputException(file.toString(), "cannot read: " + e.getMessage(), e);
        }
    }

    /** A config held in memory (a benchmark's model shape); {@code where} names it in errors. */
    public static JsonConfig parse(String json, String where) {
        return new JsonConfig(JSON.parseObject(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), where), where);
    }

    /** The file (and, for nested objects, the key path) this object came from, for error messages. */
    public String where() {
        return where;
    }

    public boolean has(String key) {
        JsonNode v = node.get(key);
        return v != null && !v.isNull();
    }

    public int integer(String key) {
        return integerValue(key, required(key));
    }

    public int integer(String key, int fallback) {
        return has(key) ? integerValue(key, node.get(key)) : fallback;
    }

    /** A positive integer (a dimension or a count). */
    public int positive(String key) {
        int v = integer(key);
        if (v <= 0) throw error(key, "must be positive, found " + v);
        return v;
    }

    public double number(String key) {
        return numberValue(key, required(key));
    }

    public double number(String key, double fallback) {
        return has(key) ? numberValue(key, node.get(key)) : fallback;
    }

    /**
     * A number that must be ≥ 0 (a normalisation epsilon): a negative one makes the square root NaN and every
     * output garbage without an error, so it is refused here.
     */
    public double nonNegative(String key, double fallback) {
        double v = number(key, fallback);
        if (v < 0) throw error(key, "must be at least 0, found " + v);
        return v;
    }

    /** A number that must be > 0 (a base frequency, a scaling factor). */
    public double positiveNumber(String key, double fallback) {
        double v = number(key, fallback);
        if (!(v > 0)) throw error(key, "must be positive, found " + v);
        return v;
    }

    public OptionalDouble optionalNumber(String key) {
        return has(key) ? OptionalDouble.of(numberValue(key, node.get(key))) : OptionalDouble.empty();
    }

    public boolean flag(String key, boolean fallback) {
        if (!has(key)) return fallback;
        JsonNode v = node.get(key);
        if (!v.isBoolean()) throw error(key, "must be true or false, found " + describe(v));
        return v.booleanValue();
    }

    public String string(String key) {
        return stringValue(key, required(key));
    }

    public String string(String key, String fallback) {
        return has(key) ? stringValue(key, node.get(key)) : fallback;
    }

    public Optional<String> optionalString(String key) {
        return has(key) ? Optional.of(stringValue(key, node.get(key))) : Optional.empty();
    }

    /** A list of strings; a single string is taken as a list of one (configs in the wild write both). */
    public List<String> strings(String key) {
        if (!has(key)) return List.of();
        JsonNode v = node.get(key);
        if (v.isTextual()) return List.of(v.textValue());
        if (!v.isArray()) throw error(key, "must be a list of strings, found " + describe(v));
        List<String> out = new ArrayList<>();
        for (JsonNode item : v) out.add(stringValue(key, item));
        return out;
    }

    /** A list of integers; a single integer is taken as a list of one (eos_token_id is written both ways). */
    public List<Integer> integers(String key) {
        if (!has(key)) return List.of();
        JsonNode v = node.get(key);
        if (!v.isArray()) return List.of(integerValue(key, v));
        List<Integer> out = new ArrayList<>();
        for (JsonNode item : v) out.add(integerValue(key, item));
        return out;
    }

    public double[] numbers(String key) {
        JsonNode v = required(key);
        if (!v.isArray()) throw error(key, "must be a list of numbers, found " + describe(v));
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) out[i] = numberValue(key, v.get(i));
        return out;
    }

    /** A nested object, if present (and not null). */
    public Optional<JsonConfig> object(String key) {
        if (!has(key)) return Optional.empty();
        JsonNode v = node.get(key);
        if (!v.isObject()) throw error(key, "must be an object, found " + describe(v));
        return Optional.of(new JsonConfig((ObjectNode) v, where + ": " + key));
    }

    /** The raw node, for readers with a structure of their own (id2label maps, weight maps). */
    public ObjectNode node() {
        return node;
    }

    /** An error about {@code key} of this object, in the one-line form the command line prints. */
    public InputException error(String key, String what) {
        return new InputException(where + ": " + quote(key), what);
    }

    private JsonNode required(String key) {
        if (!has(key)) throw error(key, "missing");
        return node.get(key);
    }

    private int integerValue(String key, JsonNode v) {
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw error(key, "must be an integer, found " + describe(v));
        return v.intValue();
    }

    private double numberValue(String key, JsonNode v) {
        if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
            throw error(key, "must be a finite number, found " + describe(v));
        }
        return v.doubleValue();
    }

    private String stringValue(String key, JsonNode v) {
        if (!v.isTextual()) throw error(key, "must be a string, found " + describe(v));
        return v.textValue();
    }

    private static String describe(JsonNode v) {
        String text = v.toString();
        return text.length() > 60 ? text.substring(0, 60) + "…" : text;
    }
}
