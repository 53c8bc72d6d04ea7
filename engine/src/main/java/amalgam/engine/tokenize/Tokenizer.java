package amalgam.engine.tokenize;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A Hugging Face tokenizer read from its {@code tokenizer.json}, giving the ids the reference {@code tokenizers}
 * library gives: added tokens are cut out of the raw text first (longest match first), the rest is normalized,
 * cut into words by the pre-tokenizer and encoded word by word by the BPE model; the post-processor adds the
 * special tokens (a BOS, say) when asked.
 *
 * <p>Covers the byte-level BPE of GPT-2, Llama 3, Qwen2 and SmolLM and the SentencePiece-style BPE of Llama 2,
 * Mistral and TinyLlama; a file with a component it does not know fails to load, naming the file and the
 * component, rather than encoding differently. Truncation and padding in the file are ignored. Immutable and
 * thread-safe.
 */
public final class Tokenizer {

    private final AddedTokenMatcher rawAddedTokens;
    private final AddedTokenMatcher normalizedAddedTokens;
    private final Normalizer normalizer;
    private final PreTokenizer preTokenizer;
    private final BpeModel model;
    private final PostProcessor postProcessor;
    private final Decoder decoder;
    private final Map<Integer, String> addedTokensById;
    private final Map<String, Integer> addedTokensByContent;
    private final Set<String> specialTokens;
    private final int vocabSize;
    private final OptionalInt bosTokenId;
    private final OptionalInt eosTokenId;

    Tokenizer(TokenizerParts parts) {
        this.normalizer = parts.normalizer();
        this.preTokenizer = parts.preTokenizer();
        this.model = parts.model();
        this.postProcessor = parts.postProcessor();
        this.decoder = parts.decoder();
        this.addedTokensById = parts.addedTokensById();
        this.addedTokensByContent = parts.addedTokensByContent();
        this.specialTokens = parts.specialTokens();
        this.rawAddedTokens = parts.rawAddedTokens();
        this.normalizedAddedTokens = parts.normalizedAddedTokens();
        this.vocabSize = parts.vocabSize();
        this.bosTokenId = parts.bosTokenId();
        this.eosTokenId = parts.eosTokenId();
    }

    /**
     * Reads {@code tokenizer.json}, and the BOS and EOS names from the {@code tokenizer_config.json} beside it
     * where there is one. Throws {@link amalgam.engine.InputException} naming the file for a missing or
     * malformed file and for component types this class does not implement.
     */
    public static Tokenizer load(Path tokenizerJson) {
        return new Tokenizer(TokenizerJson.read(tokenizerJson));
    }

    /** The ids of {@code text} with the post-processor's special tokens, as the reference's default encode. */
    public int[] encode(String text) {
        return encode(text, true);
    }

    public int[] encode(String text, boolean addSpecialTokens) {
        IntList ids = new IntList(text.length() / 3 + 4);
        List<AddedTokenMatcher.Segment> segments = new ArrayList<>();
        rawAddedTokens.split(text, true, segments);
        List<AddedTokenMatcher.Segment> inner = new ArrayList<>();
        List<Piece> words = new ArrayList<>();
        for (AddedTokenMatcher.Segment segment : segments) {
            if (segment.tokenId() >= 0) {
                ids.add(segment.tokenId());
                continue;
            }
            if (segment.text().isEmpty()) continue;
            inner.clear();
            normalizedAddedTokens.split(normalizer.normalize(segment.text()), segment.atStart(), inner);
            for (AddedTokenMatcher.Segment part : inner) {
                if (part.tokenId() >= 0) {
                    ids.add(part.tokenId());
                    continue;
                }
                if (part.text().isEmpty()) continue;
                words.clear();
                preTokenizer.split(new Piece(part.text(), part.atStart()), words);
                for (Piece word : words) ids.addAll(model.tokenize(word.text()));
            }
        }
        int[] out = ids.toArray();
        return addSpecialTokens ? postProcessor.addSpecialTokens(out) : out;
    }

    /**
     * The text of {@code ids} through the file's decoder; ids the tokenizer does not know are skipped, as the
     * reference does, and so are special tokens where {@code skipSpecialTokens}.
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        List<String> tokens = new ArrayList<>(ids.length);
        for (int id : ids) {
            String token = addedTokensById.get(id);
            if (token == null) token = model.token(id);
            if (token == null || (skipSpecialTokens && specialTokens.contains(token))) continue;
            tokens.add(token);
        }
        if (decoder == null) return String.join(" ", tokens);
        return String.join("", decoder.decodeChain(tokens));
    }

    /** The number of distinct tokens, added ones included, as the reference's {@code get_vocab_size()}. */
    public int vocabSize() {
        return vocabSize;
    }

    public OptionalInt tokenId(String token) {
        Integer id = addedTokensByContent.get(token);
        if (id == null) id = model.vocab().get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** The token string of {@code id}, before any decoder (a byte-level token reads {@code Ġthe}). */
    public Optional<String> token(int id) {
        String token = addedTokensById.get(id);
        return Optional.ofNullable(token != null ? token : model.token(id));
    }

    public boolean isSpecial(int id) {
        String token = addedTokensById.get(id);
        return token != null && specialTokens.contains(token);
    }

    /** The BOS id named by tokenizer_config.json's bos_token; empty where there is no such file or name. */
    public OptionalInt bosTokenId() {
        return bosTokenId;
    }

    /** The EOS id named by tokenizer_config.json's eos_token; empty where there is no such file or name. */
    public OptionalInt eosTokenId() {
        return eosTokenId;
    }
}
