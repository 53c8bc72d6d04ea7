package amalgam.engine.models.llama;

import amalgam.engine.InputException;
import amalgam.engine.hub.JsonConfig;

import java.util.List;
import java.util.OptionalInt;

/**
 * The config.json fields a Llama-family decoder is built from, named as transformers names them; absent keys
 * take transformers' defaults. {@code where} is config.json's path, for errors found later (a sequence longer
 * than the sliding window).
 */
public record LlamaConfig(Variant variant, int vocabSize, int hiddenSize, int intermediateSize, int layers,
        int heads, int kvHeads, int headDim, double rmsNormEps, boolean tieWordEmbeddings, boolean qkvBias,
        boolean outputBias, boolean mlpBias, int maxPositions, RopeParameters rope, OptionalInt slidingWindow,
        List<Integer> eosTokenIds, String where) {

    public static LlamaConfig from(JsonConfig config, Variant variant) {
        String act = config.string("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw config.error("hidden_act", "is '" + act + "'; the Llama family here supports only silu");
        }
        int hidden = config.positive("hidden_size"), heads = config.positive("num_attention_heads");
        int kvHeads = config.has("num_key_value_heads") ? config.positive("num_key_value_heads") : heads;
        if (heads % kvHeads != 0) {
            throw config.error("num_key_value_heads", "is " + kvHeads + ", which does not divide the " + heads
                    + " attention heads");
        }
        int headDim = config.has("head_dim") ? config.positive("head_dim") : hidden / heads;
        if (!config.has("head_dim") && hidden % heads != 0) {
            throw config.error("hidden_size", "is " + hidden + ", not a multiple of the " + heads + " heads");
        }
        if (headDim % 2 != 0) throw config.error("head_dim", "is " + headDim + "; rotary embedding needs it even");
        boolean attentionBias = config.flag("attention_bias", false);
        boolean qkvBias = switch (variant) {
            case LLAMA -> attentionBias;
            case MISTRAL -> false;
            case QWEN2 -> true;
        };
        boolean outputBias = variant == Variant.LLAMA && attentionBias;
        return new LlamaConfig(variant, config.positive("vocab_size"), hidden, config.positive("intermediate_size"),
                config.positive("num_hidden_layers"), heads, kvHeads, headDim, config.nonNegative("rms_norm_eps", 1e-6),
                config.flag("tie_word_embeddings", false), qkvBias, outputBias,
                variant == Variant.LLAMA && config.flag("mlp_bias", false),
                config.integer("max_position_embeddings", 2048), RopeParameters.from(config, headDim),
                slidingWindow(config, variant), config.integers("eos_token_id"), config.where());
    }

    private static OptionalInt slidingWindow(JsonConfig config, Variant variant) {
        return switch (variant) {
            case LLAMA -> OptionalInt.empty();
            case MISTRAL -> !config.node().has("sliding_window") ? OptionalInt.of(4096)
                    : config.has("sliding_window") ? OptionalInt.of(config.positive("sliding_window")) : OptionalInt.empty();
            case QWEN2 -> config.flag("use_sliding_window", false) && config.has("sliding_window")
                    ? OptionalInt.of(config.positive("sliding_window")) : OptionalInt.empty();
        };
    }

    /** Throws unless attention over {@code keys} positions is the same with and without the sliding window. */
    public void checkWindow(int keys) {
        if (slidingWindow.isPresent() && keys > slidingWindow.getAsInt()) {
            throw new InputException(where + ": 'sliding_window'", "is " + slidingWindow.getAsInt() + ", but "
                    + keys + " positions were asked for; the sliding-window mask is not implemented, so sequences "
                    + "are limited to the window");
        }
    }

    public LlamaConfig withEosTokenIds(List<Integer> ids) {
        return new LlamaConfig(variant, vocabSize, hiddenSize, intermediateSize, layers, heads, kvHeads, headDim,
                rmsNormEps, tieWordEmbeddings, qkvBias, outputBias, mlpBias, maxPositions, rope, slidingWindow,
                List.copyOf(ids), where);
    }
}
