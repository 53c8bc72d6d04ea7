package amalgam.merge.pipeline;

import amalgam.engine.InputException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML value with the line it was written on, which a tree of Jackson's {@code JsonNode}s forgets and every
 * config error needs. The value is a {@code Map<String, YamlNode>} (in file order), a {@code List<YamlNode>}, a
 * String, a Number, a Boolean or null. A mapping entry's line is its key's.
 */
record YamlNode(Object value, int line) {

    /** Reads {@code file}; malformed YAML and repeated keys are {@link InputException}s naming the file and line. */
    static YamlNode read(Path file) {
        if (!Files.isRegularFile(file)) throw new InputException(file.toString(), "no such config file");
        try (JsonParser parser = new YAMLFactory().createParser(file.toFile())) {
            JsonToken first = parser.nextToken();
            if (first == null) return new YamlNode(null, 1);
            return node(parser, file);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            // SnakeYAML's message is "problem / in 'reader', line … / the line / ^" blocks: keep the problems.
            String message = e.getOriginalMessage().lines().filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0)))
                    .map(String::trim).collect(java.util.stream.Collectors.joining("; "));
            throw new InputException(file + (at == null ? "" : ":" + at.getLineNr()), "malformed YAML: " + message, e);
        } catch (IOException e) {
            throw new InputException(file.toString(), "cannot read: " + e.getMessage(), e);
        }
    }

    /** The node starting at the parser's current token. */
    private static YamlNode node(JsonParser parser, Path file) throws IOException {
        int line = parser.currentTokenLocation().getLineNr();
        return switch (parser.currentToken()) {
            case START_OBJECT -> {
                Map<String, YamlNode> map = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    int keyLine = parser.currentTokenLocation().getLineNr();
                    parser.nextToken();
                    YamlNode child = node(parser, file);
                    if (map.put(key, new YamlNode(child.value(), keyLine)) != null) {
                        throw new InputException(file + ":" + keyLine, key + ": given twice");
                    }
                }
                yield new YamlNode(map, line);
            }
            case START_ARRAY -> {
                List<YamlNode> list = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) list.add(node(parser, file));
                yield new YamlNode(list, line);
            }
            case VALUE_STRING -> new YamlNode(parser.getText(), line);
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> new YamlNode(parser.getNumberValue(), line);
            case VALUE_TRUE -> new YamlNode(true, line);
            case VALUE_FALSE -> new YamlNode(false, line);
            case VALUE_NULL -> new YamlNode(null, line);
            default -> throw new InputException(file + ":" + line, "unexpected YAML " + parser.currentToken());
        };
    }

    @SuppressWarnings("unchecked")
    Map<String, YamlNode> asMap() {
        return (Map<String, YamlNode>) value;
    }

    @SuppressWarnings("unchecked")
    List<YamlNode> asList() {
        return (List<YamlNode>) value;
    }
}
