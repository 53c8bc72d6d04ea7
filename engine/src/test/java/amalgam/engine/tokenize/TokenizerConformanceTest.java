package amalgam.engine.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
 * Every case of fixtures/tokenizers/<kind>/cases.json, made by the reference tokenizers library from the
 * tokenizer.json beside it: ids with and without special tokens, and both decodes, must match exactly.
 */
class TokenizerConformanceTest {

    static final List<String> KINDS =
            List.of("gpt2-style", "llama3-style", "qwen2-style", "llama2-style", "mistral-style", "added-flags-style",
                    "suffix-style", "prefix-style");

    private static final ObjectMapper JSON = new ObjectMapper();

    static Tokenizer load(String kind) {
        return Tokenizer.load(TestFixtures.path("tokenizers", kind, "tokenizer.json"));
    }

    static JsonNode read(String kind, String file) throws IOException {
        return JSON.readTree(TestFixtures.path("tokenizers", kind, file).toFile());
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).intValue();
        return out;
    }

    @TestFactory
    Stream<DynamicTest> everyCaseOfEveryKind() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String kind : KINDS) {
            Tokenizer tokenizer = load(kind);
            int index = 0;
            for (JsonNode c : read(kind, "cases.json")) {
                String text = c.get("text").textValue();
                String name = kind + " #" + index++ + " " + JSON.writeValueAsString(text);
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    int[] ids = ints(c.get("ids"));
                    assertArrayEquals(ids, tokenizer.encode(text), "ids");
                    assertArrayEquals(ints(c.get("ids_no_special")), tokenizer.encode(text, false), "ids_no_special");
                    assertEquals(c.get("decoded").textValue(), tokenizer.decode(ids, false), "decoded");
                    assertEquals(c.get("decoded_skip").textValue(), tokenizer.decode(ids, true), "decoded_skip");
                }));
            }
        }
        return tests.stream();
    }
}
