package amalgam.engine.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;

import amalgam.engine.TestFixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Single normalizers, pre-tokenizers and decoders against fixtures/tokenizers/components/, where the reference
 * library ran each on its own: the options the whole-tokenizer fixtures do not reach (every split behavior,
 * invert, Digits, Punctuation, Metaspace schemes, Strip, BPEDecoder, ...).
 */
class ComponentConformanceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode cases(String file) throws IOException {
        return JSON.readTree(TestFixtures.path("tokenizers", "components", file).toFile());
    }

    private static ConfigNode config(JsonNode c, String field) {
        return new ConfigNode(c.get(field), "components.json", field);
    }

    private static String name(JsonNode c, String field, String input) throws IOException {
        return c.get(field).toString() + " on " + JSON.writeValueAsString(input);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(node -> out.add(node.textValue()));
        return out;
    }

    @TestFactory
    Stream<DynamicTest> normalizers() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases("normalizers.json")) {
            String text = c.get("text").textValue();
            tests.add(DynamicTest.dynamicTest(name(c, "normalizer", text), () -> assertEquals(
                    c.get("normalized").textValue(), Normalizers.fromJson(config(c, "normalizer")).normalize(text))));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> preTokenizers() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases("pre_tokenizers.json")) {
            String text = c.get("text").textValue();
            tests.add(DynamicTest.dynamicTest(name(c, "pre_tokenizer", text), () -> {
                List<Piece> pieces = new ArrayList<>();
                // As in Tokenizer.encode, an empty text never reaches the pre-tokenizer.
                if (!text.isEmpty()) PreTokenizers.fromJson(config(c, "pre_tokenizer")).split(new Piece(text, true), pieces);
                List<String> words = pieces.stream().map(Piece::text).filter(w -> !w.isEmpty()).toList();
                assertEquals(strings(c.get("pieces")), words);
            }));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> decoders() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases("decoders.json")) {
            List<String> tokens = strings(c.get("tokens"));
            tests.add(DynamicTest.dynamicTest(c.get("decoder") + " on " + tokens, () -> assertEquals(
                    c.get("decoded").textValue(),
                    String.join("", Decoders.fromJson(config(c, "decoder")).decodeChain(tokens)))));
        }
        return tests.stream();
    }
}
