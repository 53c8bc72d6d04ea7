package amalgam.engine.tokenize;

import static amalgam.engine.InputException.quote;

import amalgam.engine.InputException;
import amalgam.engine.io.StrictJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/** Reads a tokenizer.json (and the tokenizer_config.json beside it, for BOS and EOS) into a tokenizer's parts. */
final class TokenizerJson {

    /** Real tokenizer.json files are up to a few tens of megabytes (Gemma's is 17 MB). */
    private static final long MAX_BYTES = 256L << 20;
    private static final StrictJson JSON = new StrictJson(MAX_BYTES);

    private TokenizerJson() {}

    static TokenizerParts read(Path tokenizerJson) {
        String file = tokenizerJson.toString();
        ConfigNode root = new ConfigNode(parse(tokenizerJson), file, "");
        Normalizer normalizer = Normalizers.fromJson(root.object("normalizer"));
        PreTokenizer preTokenizer = PreTokenizers.fromJson(root.object("pre_tokenizer"));
        BpeModel model = BpeModel.fromJson(root.requiredObject("model"));
        PostProcessor postProcessor = PostProcessors.fromJson(root.object("post_processor"));
        Decoder decoder = Decoders.fromJson(root.object("decoder"));

        List<AddedToken> added = root.has("added_tokens")
                ? root.array("added_tokens").stream().map(AddedToken::fromJson).toList() : List.of();
        Map<Integer, String> byId = new HashMap<>();
        Map<String, Integer> byContent = new HashMap<>();
        Set<String> special = new HashSet<>();
        List<AddedToken> raw = new ArrayList<>();
        List<AddedToken> normalized = new ArrayList<>();
        List<String> normalizedPatterns = new ArrayList<>();
        for (AddedToken token : added) {
            byContent.put(token.content(), token.id());
            if (token.special()) special.add(token.content());
            if (token.normalized()) {
                // The reference decodes a normalized token as the text it matches (ÉTÉ under Lowercase reads été).
                String pattern = normalizer.normalize(token.content());
                normalized.add(token);
                normalizedPatterns.add(pattern);
                byId.put(token.id(), pattern);
            } else {
                raw.add(token);
                byId.put(token.id(), token.content());
            }
        }
        Set<String> allTokens = new HashSet<>(model.vocab().keySet());
        allTokens.addAll(byContent.keySet());

        Map<String, Integer> ids = new HashMap<>(model.vocab());
        ids.putAll(byContent);
        Path configFile = tokenizerJson.resolveSibling("tokenizer_config.json");
        ObjectNode config = Files.isRegularFile(configFile) ? parse(configFile) : null;
        return new TokenizerParts(normalizer, preTokenizer, model, postProcessor, decoder,
                new AddedTokenMatcher(raw.stream().map(AddedToken::content).toList(), raw),
                new AddedTokenMatcher(normalizedPatterns, normalized),
                Map.copyOf(byId), Map.copyOf(byContent), Set.copyOf(special), allTokens.size(),
                namedToken(config, "bos_token", ids, configFile), namedToken(config, "eos_token", ids, configFile));
    }

    private static ObjectNode parse(Path file) {
        try {
            return JSON.parseObject(Files.readAllBytes(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new InputException(file.toString(), "no such file");
        } catch (IOException e) {
            throw new InputException(file.toString(), "cannot read: " + e.getMessage(), e);
        }
    }

    /** {@code "bos_token": "<s>"}, or the {@code {"content": "<s>", ...}} object transformers also writes. */
    private static OptionalInt namedToken(ObjectNode config, String field, Map<String, Integer> ids, Path file) {
        if (config == null) return OptionalInt.empty();
        JsonNode value = config.get(field);
        if (value != null && value.isObject()) value = value.get("content");
        if (value == null || value.isNull()) return OptionalInt.empty();
        if (!value.isTextual()) throw new InputException(file.toString(), field + " must be a token string");
        Integer id = ids.get(value.textValue());
        if (id == null) {
            throw new InputException(file.toString(), field + " " + quote(value.textValue())
                    + " is not a token of the tokenizer.json beside it");
        }
        return OptionalInt.of(id);
    }
}
