package amalgam.engine.tokenize;

import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/** Everything a {@link Tokenizer} is made of, as {@link TokenizerJson} reads it from the files. */
record TokenizerParts(
        Normalizer normalizer,
        PreTokenizer preTokenizer,
        BpeModel model,
        PostProcessor postProcessor,
        Decoder decoder,
        AddedTokenMatcher rawAddedTokens,
        AddedTokenMatcher normalizedAddedTokens,
        Map<Integer, String> addedTokensById,
        Map<String, Integer> addedTokensByContent,
        Set<String> specialTokens,
        int vocabSize,
        OptionalInt bosTokenId,
        OptionalInt eosTokenId) {}
