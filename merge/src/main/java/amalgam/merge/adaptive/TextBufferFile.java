package amalgam.merge.adaptive;

import amalgam.engine.InputException;
import amalgam.engine.io.MissingPath;
import amalgam.engine.models.CausalLanguageModel;
import amalgam.engine.tokenize.Tokenizer;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSONL text buffer: one JSON object per line, either {@code {"text": …}} (every token after the first is
 * scored) or {@code {"prompt": …, "completion": …}} (only the completion's tokens are scored; prompt and
 * completion are tokenized as one string, as a fine-tuning run sees them). Other keys are ignored, blank lines
 * skipped. Every fault is an {@link InputException} naming the file and line.
 */
public final class TextBufferFile {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private TextBufferFile() {}

    public static TokenBuffer read(Path file, Tokenizer tokenizer, CausalLanguageModel model) {
        return new TokenBuffer(model, sequences(file, tokenizer));
    }

    /** The scored sequences of {@code file}, in order. */
    public static List<TokenBuffer.Sequence> sequences(Path file, Tokenizer tokenizer) {
        if (!Files.isRegularFile(file)) {
            throw new InputException(file.toString(), Files.isDirectory(file) ? "is a directory, not a JSONL file"
                    : MissingPath.describe(file, "file"));
        }
        List<TokenBuffer.Sequence> out = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            for (int number = 1; (line = reader.readLine()) != null; number++) {
                if (line.isBlank()) continue;
                out.add(sequence(jsonLine(file, number, line), tokenizer, file + ":" + number));
            }
        } catch (java.nio.charset.MalformedInputException e) {
            throw new InputException(file.toString(), "is not UTF-8 text");
        } catch (IOException e) {
            throw new InputException(file.toString(), "cannot be read: " + e.getMessage(), e);
        }
        if (out.isEmpty()) throw new InputException(file.toString(), "holds no examples (one JSON object per line)");
        return out;
    }

    private static JsonNode jsonLine(Path file, int number, String line) {
        try {
            JsonNode node = JSON.readTree(line);
            if (node == null || !node.isObject()) {
                throw new InputException(file + ":" + number, "expected a JSON object such as {\"text\": \"…\"}");
            }
            return node;
        } catch (JacksonException e) {
            throw new InputException(file + ":" + number, "not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static TokenBuffer.Sequence sequence(JsonNode example, Tokenizer tokenizer, String where) {
        boolean text = example.has("text"), prompt = example.has("prompt"), completion = example.has("completion");
        if (text && (prompt || completion)) {
            throw new InputException(where, "give either \"text\" or \"prompt\" and \"completion\", not both");
        }
        if (text) {
            int[] ids = tokenizer.encode(string(example, "text", where));
            if (ids.length < 2) {
                throw new InputException(where, "the text encodes to " + ids.length + " token"
                        + (ids.length == 1 ? "" : "s") + "; at least 2 are needed to predict one");
            }
            return TokenBuffer.Sequence.allTokens(ids);
        }
        if (!prompt || !completion) {
            throw new InputException(where, "expected {\"text\": …} or {\"prompt\": …, \"completion\": …}, got the keys "
                    + fieldNames(example));
        }
        String p = string(example, "prompt", where), c = string(example, "completion", where);
        int[] ids = tokenizer.encode(p + c);
        int[] promptIds = tokenizer.encode(p);
        // The completion starts after the longest prefix the prompt alone shares with the whole; a token that
        // merges across the boundary is part of the completion.
        int shared = 0;
        while (shared < promptIds.length && shared < ids.length && promptIds[shared] == ids[shared]) shared++;
        int firstScored = Math.max(shared, 1);
        if (firstScored >= ids.length) throw new InputException(where, "the completion encodes to no tokens");
        return new TokenBuffer.Sequence(ids, firstScored);
    }

    private static String string(JsonNode example, String key, String where) {
        JsonNode value = example.get(key);
        if (!value.isTextual()) throw new InputException(where, "\"" + key + "\" must be a string, got " + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        return value.asText();
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
