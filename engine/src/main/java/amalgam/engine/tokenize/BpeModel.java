package amalgam.engine.tokenize;

import static amalgam.engine.InputException.quote;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * tokenizer.json's BPE model: a word is split into characters (code points), each looked up in the vocab, then
 * merged pair by pair in merge-rank order. Characters missing from the vocab become byte tokens ({@code <0x0A>})
 * under byte_fallback, else the unknown token, runs of which fuse into one under fuse_unk. With ignore_merges a
 * word found whole in the vocab is that one token.
 */
final class BpeModel implements BpeWord.Merges {

    /** As the reference: words repeat, so merging each distinct word once pays; the bounds cap memory. */
    private static final int CACHE_CAPACITY = 10_000;
    /** Without a pre-tokenizer (Llama 2) a whole text is one word, which is not worth keeping. */
    private static final int MAX_CACHED_WORD_LENGTH = 256;

    private final Map<String, Integer> vocab;
    private final String[] tokens;
    private final Map<Long, Integer> mergeRanks;
    private final int[] mergedIds;
    private final Integer unkId;
    private final String continuingSubwordPrefix;
    private final String endOfWordSuffix;
    private final boolean fuseUnk;
    private final boolean byteFallback;
    private final boolean ignoreMerges;
    /** The id of {@code <0xHH>} for each byte, -1 where the vocab lacks it. */
    private final int[] byteTokenIds = new int[256];
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    private BpeModel(Map<String, Integer> vocab, String[] tokens, Map<Long, Integer> mergeRanks, int[] mergedIds,
            Integer unkId, String continuingSubwordPrefix, String endOfWordSuffix, boolean fuseUnk,
            boolean byteFallback, boolean ignoreMerges) {
        this.vocab = vocab;
        this.tokens = tokens;
        this.mergeRanks = mergeRanks;
        this.mergedIds = mergedIds;
        this.unkId = unkId;
        this.continuingSubwordPrefix = continuingSubwordPrefix;
        this.endOfWordSuffix = endOfWordSuffix;
        this.fuseUnk = fuseUnk;
        this.byteFallback = byteFallback;
        this.ignoreMerges = ignoreMerges;
        for (int b = 0; b < 256; b++) byteTokenIds[b] = vocab.getOrDefault(String.format("<0x%02X>", b), -1);
    }

    static BpeModel fromJson(ConfigNode model) {
        if (model.has("type") && !model.type().equals("BPE")) throw model.unsupported("model");
        if (model.has("dropout") && model.json().get("dropout").asDouble() > 0) {
            throw model.error("dropout is set: BPE dropout samples a different tokenization on every call; "
                    + "set it to null for inference");
        }
        ConfigNode vocabNode = model.requiredObject("vocab");
        Map<String, Integer> vocab = new HashMap<>();
        int maxId = -1;
        for (Map.Entry<String, JsonNode> e : vocabNode.json().properties()) {
            JsonNode id = e.getValue();
            if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0) {
                throw vocabNode.error(quote(e.getKey()) + " must map to a non-negative integer id");
            }
            vocab.put(e.getKey(), id.intValue());
            maxId = Math.max(maxId, id.intValue());
        }
        String[] tokens = new String[maxId + 1];
        vocab.forEach((token, id) -> tokens[id] = token);

        String prefix = model.string("continuing_subword_prefix", null);
        List<ConfigNode> merges = model.array("merges");
        Map<Long, Integer> ranks = new HashMap<>(merges.size() * 2);
        int[] mergedIds = new int[merges.size()];
        for (int rank = 0; rank < merges.size(); rank++) {
            String[] pair = mergePair(merges.get(rank));
            int left = mergeToken(vocab, pair[0], merges.get(rank));
            int right = mergeToken(vocab, pair[1], merges.get(rank));
            String rightPart = prefix != null && pair[1].startsWith(prefix) ? pair[1].substring(prefix.length()) : pair[1];
            mergedIds[rank] = mergeToken(vocab, pair[0] + rightPart, merges.get(rank));
            // A pair listed twice keeps its last rank, as in the reference's merge map.
            ranks.put(key(left, right), rank);
        }
        Integer unkId = null;
        Optional<String> unk = model.optionalString("unk_token");
        if (unk.isPresent()) {
            unkId = vocab.get(unk.get());
            if (unkId == null) throw model.error("unk_token " + quote(unk.get()) + " is not in the vocab");
        }
        return new BpeModel(Map.copyOf(vocab), tokens, ranks, mergedIds, unkId, prefix,
                model.string("end_of_word_suffix", null), model.bool("fuse_unk", false),
                model.bool("byte_fallback", false), model.bool("ignore_merges", false));
    }

    /** Merges are saved as "a b" strings by older writers and as ["a", "b"] pairs by newer ones. */
    private static String[] mergePair(ConfigNode merge) {
        JsonNode json = merge.json();
        if (json.isTextual()) {
            String[] parts = json.textValue().split(" ", -1);
            if (parts.length == 2) return parts;
        } else if (json.isArray() && json.size() == 2 && json.get(0).isTextual() && json.get(1).isTextual()) {
            return new String[] {json.get(0).textValue(), json.get(1).textValue()};
        }
        throw new amalgam.engine.InputException(merge.file(),
                merge.path() + " must be \"left right\" or [\"left\", \"right\"], found " + quote(json.toString()));
    }

    private static int mergeToken(Map<String, Integer> vocab, String token, ConfigNode merge) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new amalgam.engine.InputException(merge.file(),
                    merge.path() + " needs token " + quote(token) + ", which is not in the vocab");
        }
        return id;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xffffffffL);
    }

    @Override
    public int rank(int left, int right) {
        Integer rank = mergeRanks.get(key(left, right));
        return rank == null ? -1 : rank;
    }

    @Override
    public int mergedId(int rank) {
        return mergedIds[rank];
    }

    Map<String, Integer> vocab() {
        return vocab;
    }

    /** The token of {@code id}, or null where the vocab has none. */
    String token(int id) {
        return id >= 0 && id < tokens.length ? tokens[id] : null;
    }

    /** The ids of one word; the array is shared with the cache and must not be changed. */
    int[] tokenize(String word) {
        if (word.isEmpty()) return new int[0];
        int[] cached = cache.get(word);
        if (cached != null) return cached;
        int[] ids;
        Integer whole = ignoreMerges ? vocab.get(word) : null;
        ids = whole != null ? new int[] {whole} : BpeWord.merge(symbols(word), this);
        if (word.length() <= MAX_CACHED_WORD_LENGTH && cache.size() < CACHE_CAPACITY) cache.put(word, ids);
        return ids;
    }

    /** The word's starting symbols: one per code point, or its bytes, or the unknown token. */
    private int[] symbols(String word) {
        IntList out = new IntList(word.length());
        int pendingUnk = -1;
        int end = word.length();
        for (int i = 0; i < end; ) {
            int next = i + Character.charCount(word.codePointAt(i));
            String symbol = word.substring(i, next);
            if (i > 0 && continuingSubwordPrefix != null) symbol = continuingSubwordPrefix + symbol;
            if (next == end && endOfWordSuffix != null) symbol = symbol + endOfWordSuffix;
            i = next;
            Integer id = vocab.get(symbol);
            if (id != null) {
                if (pendingUnk >= 0) {
                    out.add(pendingUnk);
                    pendingUnk = -1;
                }
                out.add(id);
                continue;
            }
            // As the reference, a pending unknown is not flushed before byte tokens: it lands after them.
            if (byteFallback && addBytes(symbol, out)) continue;
            if (unkId != null) {
                if (pendingUnk >= 0 && !fuseUnk) out.add(pendingUnk);
                pendingUnk = unkId;
            }
        }
        if (pendingUnk >= 0) out.add(pendingUnk);
        return out.toArray();
    }

    /** Adds the byte tokens of {@code symbol} if the vocab has all of them; adds nothing otherwise. */
    private boolean addBytes(String symbol, IntList out) {
        byte[] bytes = symbol.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length];
        for (int b = 0; b < bytes.length; b++) {
            ids[b] = byteTokenIds[bytes[b] & 0xff];
            if (ids[b] < 0) return false;
        }
        for (int id : ids) out.add(id);
        return true;
    }
}
