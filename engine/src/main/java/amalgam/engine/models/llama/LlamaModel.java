package amalgam.engine.models.llama;

import amalgam.engine.Tensor;
import amalgam.engine.hub.TensorSource;
import amalgam.engine.nn.Embedding;
import amalgam.engine.nn.Module;
import amalgam.engine.nn.RmsNorm;

/** The decoder stack under {@code model.}: embed_tokens, layers.<i>, norm. */
final class LlamaModel extends Module {

    private final LlamaConfig config;
    private final Embedding embedTokens;
    private final LlamaDecoderLayer[] layers;
    private final RmsNorm norm;

    LlamaModel(LlamaConfig c, TensorSource weights, String prefix) {
        config = c;
        embedTokens = child("embed_tokens",
                Embedding.frozen(weights.load(prefix + "embed_tokens.weight", c.vocabSize(), c.hiddenSize())));
        layers = new LlamaDecoderLayer[c.layers()];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = child("layers." + i, new LlamaDecoderLayer(c, weights, prefix + "layers." + i + ".", i));
        }
        norm = child("norm", RmsNorm.frozen(weights.load(prefix + "norm.weight", c.hiddenSize()), c.rmsNormEps()));
    }

    Embedding embedTokens() {
        return embedTokens;
    }

    /**
     * Final hidden states [batch, tokens, hidden] of {@code ids} at positions start, start+1, …; with a cache,
     * start must be its length, and the new keys and values are written into it.
     */
    Tensor forward(int[][] ids, int start, KvCache cache) {
        int batch = ids.length, tokens = ids[0].length;
        config.checkWindow(start + tokens);
        int[] flat = new int[batch * tokens];
        for (int b = 0; b < batch; b++) {
            if (ids[b].length != tokens) throw new IllegalArgumentException("rows of ids differ in length");
            for (int t = 0; t < tokens; t++) {
                int id = ids[b][t];
                if (id < 0 || id >= config.vocabSize()) {
                    throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of "
                            + config.vocabSize());
                }
                flat[b * tokens + t] = id;
            }
        }
        Tensor x = embedTokens.lookup(flat, batch, tokens);
        Tensor[] cosSin = config.rope().tables(x.dtype(), start, tokens);
        for (LlamaDecoderLayer layer : layers) x = layer.forward(x, cosSin[0], cosSin[1], cache);
        if (cache != null) cache.advance(tokens);
        return norm.forward(x);
    }

    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("the decoder takes token ids: call forward(int[][], start, cache)");
    }
}
