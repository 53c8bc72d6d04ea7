package amalgam.engine.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.engine.InputException;
import amalgam.engine.TestFixtures;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way a tokenizer.json can fail to load ends in one InputException line that names the file and what is
 * wrong with it; a component this tokenizer does not implement is refused, never silently encoded differently.
 */
class TokenizerLoadErrorTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static String assertRejected(Path file, String... fragments) {
        InputException e = assertThrows(InputException.class, () -> Tokenizer.load(file));
        String message = e.getMessage();
        assertTrue(message.startsWith(file + ":"), message);
        assertFalse(message.contains("\n"), message);
        for (String fragment : fragments) assertTrue(message.contains(fragment), () -> message + " lacks " + fragment);
        return message;
    }

    /** A copy of a fixture tokenizer.json, changed by {@code edit}. */
    private Path edited(String kind, Consumer<ObjectNode> edit) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(TestFixtures.path("tokenizers", kind, "tokenizer.json").toFile());
        edit.accept(root);
        Path file = dir.resolve("tokenizer.json");
        JSON.writeValue(file.toFile(), root);
        return file;
    }

    private static ObjectNode component(String type) {
        return JSON.createObjectNode().put("type", type);
    }

    @Test
    void missingFile() {
        assertRejected(dir.resolve("tokenizer.json"), "no such file");
    }

    @Test
    void malformedJson() throws IOException {
        Path file = Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"BPE\", ");
        assertRejected(file, "not valid JSON");
    }

    @Test
    void jsonThatIsNotAnObject() throws IOException {
        assertRejected(Files.writeString(dir.resolve("tokenizer.json"), "[1, 2]"), "must be an object");
    }

    @Test
    void invalidUtf8() throws IOException {
        byte[] bytes = "{\"model\": \"\u00ff\"}".getBytes(StandardCharsets.ISO_8859_1);
        assertRejected(Files.write(dir.resolve("tokenizer.json"), bytes), "invalid UTF-8");
    }

    @Test
    void unsupportedNormalizer() throws IOException {
        Path file = edited("llama2-style", root -> root.set("normalizer", component("Precompiled")));
        assertEquals(file + ": unsupported normalizer type 'Precompiled' at normalizer", assertRejected(file));
    }

    @Test
    void unsupportedNormalizerInsideASequence() throws IOException {
        Path file = edited("llama2-style", root -> ((ArrayNode) root.get("normalizer").get("normalizers"))
                .add(component("BertNormalizer")));
        assertRejected(file, "unsupported normalizer type 'BertNormalizer'", "normalizer.normalizers[2]");
    }

    @Test
    void unsupportedPreTokenizer() throws IOException {
        assertRejected(edited("gpt2-style", root -> root.set("pre_tokenizer", component("UnicodeScripts"))),
                "unsupported pre_tokenizer type 'UnicodeScripts'");
    }

    @Test
    void unsupportedModel() throws IOException {
        assertRejected(edited("gpt2-style", root -> root.set("model", component("Unigram"))),
                "unsupported model type 'Unigram'");
    }

    @Test
    void unsupportedDecoder() throws IOException {
        assertRejected(edited("gpt2-style", root -> root.set("decoder", component("CTC"))),
                "unsupported decoder type 'CTC'");
    }

    @Test
    void unsupportedPostProcessor() throws IOException {
        assertRejected(edited("gpt2-style", root -> root.set("post_processor", component("Mystery"))),
                "unsupported post_processor type 'Mystery'");
    }

    @Test
    void badRegex() throws IOException {
        Path file = edited("llama3-style", root -> ((ObjectNode) root.get("pre_tokenizer").get("pretokenizers").get(0)
                .get("pattern")).put("Regex", "(unclosed"));
        assertRejected(file, "pre_tokenizer.pretokenizers[0].pattern", "not a regex");
    }

    @Test
    void unknownSplitBehavior() throws IOException {
        Path file = edited("llama3-style", root -> ((ObjectNode) root.get("pre_tokenizer").get("pretokenizers").get(0))
                .put("behavior", "Sideways"));
        assertRejected(file, "behavior 'Sideways'");
    }

    @Test
    void mergeOfATokenMissingFromTheVocab() throws IOException {
        Path file = edited("gpt2-style", root -> ((ArrayNode) root.get("model").get("merges"))
                .add(JSON.createArrayNode().add("zzz_absent").add("q")));
        assertRejected(file, "model.merges[", "'zzz_absent'", "not in the vocab");
    }

    @Test
    void mergeThatIsNeitherAStringPairNorAnArrayPair() throws IOException {
        Path file = edited("gpt2-style", root -> ((ArrayNode) root.get("model").get("merges")).add("a b c"));
        assertRejected(file, "must be \"left right\"");
    }

    @Test
    void unkTokenMissingFromTheVocab() throws IOException {
        assertRejected(edited("llama2-style", root -> ((ObjectNode) root.get("model")).put("unk_token", "<nope>")),
                "unk_token '<nope>' is not in the vocab");
    }

    @Test
    void addedTokenWithoutId() throws IOException {
        Path file = edited("qwen2-style", root -> ((ObjectNode) root.get("added_tokens").get(0)).remove("id"));
        assertRejected(file, "added_tokens[0].id must be an integer");
    }

    @Test
    void tokenizerConfigNamingAnUnknownBos() throws IOException {
        Path file = edited("llama2-style", root -> {});
        Path config = Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": \"<bos>\"}");
        InputException e = assertThrows(InputException.class, () -> Tokenizer.load(file));
        assertTrue(e.getMessage().startsWith(config + ": bos_token '<bos>'"), e.getMessage());
    }
}
