package amalgam.engine.models.llama;

import amalgam.engine.Tensor;
import amalgam.engine.hub.Checkpoint;
import amalgam.engine.hub.JsonConfig;
import amalgam.engine.hub.TensorSource;
import amalgam.engine.models.CausalLanguageModel;
import amalgam.engine.models.Decoding;
import amalgam.engine.nn.Linear;
import amalgam.engine.nn.Module;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * transformers' LlamaForCausalLM, and by config MistralForCausalLM and Qwen2ForCausalLM: {@code model.*} and
 * {@code lm_head} (absent when tied to the embedding). Parameter names are the checkpoint's keys; every weight
 * is a frozen fp32 tensor loaded once (a 0.5B-parameter model is ≈ 2 GB in fp32, twice its bf16 file).
 */
public final class LlamaForCausalLM extends Module implements CausalLanguageModel {

    public static final String GENERATION_CONFIG = "generation_config.json";

    private final String architecture;
    private final LlamaConfig config;
    private final LlamaModel model;
    private final Linear lmHead;

    /** Builds the model from {@code weights}, asking for each tensor with the shape {@code config} implies. */
    public LlamaForCausalLM(String architecture, LlamaConfig config, TensorSource weights) {
        this.architecture = architecture;
        this.config = config;
        this.model = child("model", new LlamaModel(config, weights, "model."));
        this.lmHead = config.tieWordEmbeddings() ? Linear.frozen(model.embedTokens().weight(), null)
                : child("lm_head", Linear.frozen(weights.load("lm_head.weight", config.vocabSize(), config.hiddenSize()), null));
    }

    /** Loads an opened checkpoint of the given variant; eos ids from generation_config.json when it has them. */
    public static LlamaForCausalLM load(Checkpoint checkpoint, String architecture, Variant variant) {
        LlamaConfig config = LlamaConfig.from(checkpoint.config(), variant);
        Path generation = checkpoint.directory().resolve(GENERATION_CONFIG);
        if (Files.exists(generation)) {
            List<Integer> eos = JsonConfig.read(generation).integers("eos_token_id");
            if (!eos.isEmpty()) config = config.withEosTokenIds(eos);
        }
        return new LlamaForCausalLM(architecture, config, checkpoint);
    }

    public LlamaConfig config() {
        return config;
    }

    @Override
    public String architecture() {
        return architecture;
    }

    @Override
    public Module module() {
        return this;
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    @Override
    public List<Integer> eosTokenIds() {
        return config.eosTokenIds();
    }

    @Override
    public Tensor logits(int[][] ids) {
        return lmHead.forward(model.forward(ids, 0, null));
    }

    /** Logits [batch, tokens, vocab] of new tokens after those in {@code cache}, which they are added to. */
    public Tensor logits(int[][] ids, KvCache cache) {
        return lmHead.forward(model.forward(ids, cache.length(), cache));
    }

    /** An empty cache for {@code batch} rows of up to {@code maxTokens} positions, in the weights' dtype. */
    public KvCache newCache(int batch, int maxTokens) {
        return new KvCache(config, model.embedTokens().weight().dtype(), batch, maxTokens);
    }

    @Override
    public Decoding startDecoding(int batch, int maxTokens) {
        KvCache cache = newCache(batch, maxTokens);
        return new Decoding() {
            @Override
            public int position() {
                return cache.length();
            }

            @Override
            public Tensor next(int[][] ids) {
                Tensor hidden = model.forward(ids, cache.length(), cache);
                int tokens = hidden.dim(1);
                // Only the last position's logits are needed: the head runs on one row per sequence.
                return lmHead.forward(hidden.slice(1, tokens - 1, tokens).reshape(hidden.dim(0), hidden.dim(2)));
            }
        };
    }

    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("a language model takes token ids: call logits(int[][])");
    }
}
