package amalgam.engine.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.engine.TestFixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Files written before tokenizers 0.20 store merges as "left right" strings, newer ones as ["left", "right"]
 * pairs (the fixtures are of the newer kind). The same merges in the older spelling must encode every case alike.
 */
class LegacyMergesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-style", "llama2-style"})
    void stringMergesEncodeAsPairMerges(String kind) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(TestFixtures.path("tokenizers", kind, "tokenizer.json").toFile());
        ArrayNode pairs = (ArrayNode) root.get("model").get("merges");
        ArrayNode strings = JSON.createArrayNode();
        for (JsonNode pair : pairs) strings.add(pair.get(0).textValue() + " " + pair.get(1).textValue());
        assertTrue(strings.size() > 100, "too few merges to mean anything");
        ((ObjectNode) root.get("model")).set("merges", strings);
        Path file = dir.resolve("tokenizer.json");
        JSON.writeValue(file.toFile(), root);

        Tokenizer legacy = Tokenizer.load(file);
        for (JsonNode c : TokenizerConformanceTest.read(kind, "cases.json")) {
            assertArrayEquals(TokenizerConformanceTest.ints(c.get("ids")), legacy.encode(c.get("text").textValue()),
                    c.get("text").textValue());
        }
    }
}
