package amalgam.engine.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * decode(encode(text)) gives the text back for random strings of awkward characters (tabs, CR, U+3000, NBSP, ZWJ,
 * skin-tone modifiers, characters outside the BMP), for the kinds where the reference has that property:
 * byte-level BPE, and SentencePiece BPE with byte fallback and a Strip decoder. (mistral-style's Metaspace "first"
 * loses a leading space and added-flags-style lowercases, in the reference too.)
 */
class TokenizerRoundTripTest {

    private static final List<String> ALPHABET = List.of(
            "a", "b", "c", "X", "Y", "Z", "0", "1", "9", " ", ".", ",", "!", "?", "'", "-", "_", " ", " ", "\t", "\n",
            "\r", "é", "ñ", "中", "文", "👍", "🏽", "\u200d", "ع", "\u3000", "𝔘", "ß", "\u00a0");

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-style", "llama3-style", "qwen2-style", "llama2-style"})
    void randomTextSurvivesEncodeAndDecode(String kind) {
        Tokenizer tokenizer = TokenizerConformanceTest.load(kind);
        Random random = new Random(20261207);
        for (int i = 0; i < 500; i++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(31);
            for (int k = 0; k < length; k++) text.append(ALPHABET.get(random.nextInt(ALPHABET.size())));
            String s = text.toString();
            assertEquals(s, tokenizer.decode(tokenizer.encode(s, false), false), () -> "text " + escape(s));
            assertEquals(s, tokenizer.decode(tokenizer.encode(s), true), () -> "text " + escape(s));
        }
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder();
        s.codePoints().forEach(cp -> out.append(cp < 0x80 && cp >= 0x20 ? Character.toString(cp) : String.format("\\u{%x}", cp)));
        return out.toString();
    }
}
