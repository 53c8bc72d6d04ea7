package amalgam.engine.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** The lookups of the public API against facts.json, which the reference library wrote beside each tokenizer. */
class TokenizerApiTest {

    static final List<String> KINDS = TokenizerConformanceTest.KINDS;

    @ParameterizedTest
    @FieldSource("KINDS")
    void vocabSizeCountsAddedTokensAsTheReference(String kind) throws IOException {
        JsonNode facts = TokenizerConformanceTest.read(kind, "facts.json");
        assertEquals(facts.get("vocab_size").intValue(), TokenizerConformanceTest.load(kind).vocabSize());
    }

    @ParameterizedTest
    @FieldSource("KINDS")
    void addedTokensHaveTheirIdsAndSpecialFlags(String kind) throws IOException {
        Tokenizer tokenizer = TokenizerConformanceTest.load(kind);
        JsonNode added = TokenizerConformanceTest.read(kind, "facts.json").get("added_tokens");
        assertFalse(added.isEmpty(), kind + " has no added tokens to test");
        for (Map.Entry<String, JsonNode> e : added.properties()) {
            int id = e.getValue().get("id").intValue();
            assertEquals(OptionalInt.of(id), tokenizer.tokenId(e.getKey()), e.getKey());
            assertEquals(e.getValue().get("special").booleanValue(), tokenizer.isSpecial(id), e.getKey());
        }
    }

    @ParameterizedTest
    @FieldSource("KINDS")
    void bosAndEosComeFromTokenizerConfig(String kind) throws IOException {
        Tokenizer tokenizer = TokenizerConformanceTest.load(kind);
        JsonNode facts = TokenizerConformanceTest.read(kind, "facts.json");
        for (String field : List.of("bos_token", "eos_token")) {
            OptionalInt expected = facts.get(field).isNull()
                    ? OptionalInt.empty() : tokenizer.tokenId(facts.get(field).textValue());
            if (!facts.get(field).isNull()) assertTrue(expected.isPresent(), field);
            assertEquals(expected, field.equals("bos_token") ? tokenizer.bosTokenId() : tokenizer.eosTokenId(), field);
        }
    }

    @ParameterizedTest
    @FieldSource("KINDS")
    void everyIdHasATokenThatMapsBackToIt(String kind) throws IOException {
        Tokenizer tokenizer = TokenizerConformanceTest.load(kind);
        JsonNode added = TokenizerConformanceTest.read(kind, "facts.json").get("added_tokens");
        for (int id = 0; id < tokenizer.vocabSize(); id++) {
            String token = tokenizer.token(id).orElseThrow();
            OptionalInt back = tokenizer.tokenId(token);
            if (back.isEmpty()) {
                // Only a normalized added token reads as other text (ÉTÉ under Lowercase reads été).
                int missing = id;
                assertTrue(added.properties().stream().anyMatch(e -> e.getValue().get("id").intValue() == missing
                        && !e.getKey().equals(token)), () -> "token " + token + " of id " + missing + " has no id");
            } else {
                assertEquals(id, back.getAsInt(), token);
            }
        }
        assertTrue(tokenizer.token(tokenizer.vocabSize() + 10).isEmpty());
        assertTrue(tokenizer.tokenId("no such token, surely").isEmpty());
    }

    @ParameterizedTest
    @FieldSource("KINDS")
    void unknownIdsAreSkippedWhenDecoding(String kind) {
        Tokenizer tokenizer = TokenizerConformanceTest.load(kind);
        int[] ids = tokenizer.encode("Hello world", false);
        int[] withStrangers = new int[ids.length + 2];
        withStrangers[0] = -1;
        System.arraycopy(ids, 0, withStrangers, 1, ids.length);
        withStrangers[ids.length + 1] = Integer.MAX_VALUE;
        assertEquals(tokenizer.decode(ids, false), tokenizer.decode(withStrangers, false));
    }

    @ParameterizedTest
    @FieldSource("KINDS")
    void encodingFromManyThreadsGivesTheSameIds(String kind) throws Exception {
        Tokenizer tokenizer = TokenizerConformanceTest.load(kind);
        List<String> texts = new ArrayList<>();
        TokenizerConformanceTest.read(kind, "cases.json").forEach(c -> texts.add(c.get("text").textValue()));
        List<int[]> expected = texts.stream().map(tokenizer::encode).toList();
        Tokenizer fresh = TokenizerConformanceTest.load(kind);
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<List<int[]>>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) runs.add(pool.submit(() -> texts.stream().map(fresh::encode).toList()));
            for (Future<List<int[]>> run : runs) {
                List<int[]> got = run.get();
                for (int i = 0; i < texts.size(); i++) assertArrayEquals(expected.get(i), got.get(i), texts.get(i));
            }
        }
        assertFalse(texts.isEmpty());
    }
}
