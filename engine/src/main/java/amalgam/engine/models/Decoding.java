package amalgam.engine.models;

import amalgam.engine.Tensor;

/** One generation in progress: the model's KV cache for a batch, fed new tokens only. */
public interface Decoding {

    /** Positions decoded so far (the position the next token will take). */
    int position();

    /**
     * Runs {@code ids} [batch][tokens] (the prompt, then one token at a time) after the cached positions and
     * returns the logits [batch, vocab] of the last one: the distribution of the token that follows.
     */
    Tensor next(int[][] ids);
}
