package amalgam.engine.models.llama;

/**
 * The members of the Llama family this package runs, which differ only in config fields: where the attention
 * projections carry biases, and whether a sliding window applies.
 */
public enum Variant {
    /** Llama 2, 3, 3.1, 3.2: biases on all four projections when {@code attention_bias}. */
    LLAMA,
    /** Mistral: no biases; {@code sliding_window} (transformers' default 4096 when the key is absent). */
    MISTRAL,
    /** Qwen2: q, k and v always carry biases, o does not; a window only with {@code use_sliding_window}. */
    QWEN2
}
