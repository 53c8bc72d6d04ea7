package amalgam.engine.models;

import amalgam.engine.Tensor;

import java.util.List;

/** A decoder that predicts the next token: what generation, perplexity and training through a model need. */
public interface CausalLanguageModel extends LoadedModel {

    int vocabSize();

    /**
     * Logits [batch, tokens, vocab] for every position of {@code ids} [batch][tokens], without a cache and
     * in the graph (gradients reach whatever requires them: adapter factors, a replaced weight).
     */
    Tensor logits(int[][] ids);

    /** A KV-cached decoding of a batch of {@code batch} rows of at most {@code maxTokens} positions. */
    Decoding startDecoding(int batch, int maxTokens);

    /** The token ids that end a generation (config.json, overridden by generation_config.json). */
    List<Integer> eosTokenIds();

    /**
     * Up to {@code maxNewTokens} tokens after each prompt (prompts of equal length), chosen by {@code sampler};
     * a row stops after its first end-of-sequence token, which it keeps, as transformers' generate does.
     */
    default int[][] generate(int[][] prompts, int maxNewTokens, Sampler sampler) {
        return Generation.generate(this, prompts, maxNewTokens, sampler);
    }
}
