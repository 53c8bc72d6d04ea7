package amalgam.engine.models.llama;

import amalgam.engine.DType;
import amalgam.engine.Tensor;
import amalgam.engine.ops.Compute;

/**
 * Keys and values of the positions decoded so far, per layer [batch, kvHeads, maxTokens, headDim], filled in
 * place: a prefill writes the prompt's, then each decoding step writes one more position. Outside the graph
 * (decoding runs without gradients); the buffers live as long as the cache.
 */
public final class KvCache {

    private final Tensor[] keys, values;
    private final int maxTokens;
    private int length;

    public KvCache(LlamaConfig config, DType dtype, int batch, int maxTokens) {
        this.maxTokens = maxTokens;
        keys = new Tensor[config.layers()];
        values = new Tensor[config.layers()];
        for (int l = 0; l < keys.length; l++) {
            keys[l] = Tensor.zeros(dtype, batch, config.kvHeads(), maxTokens, config.headDim()).toPersistent();
            values[l] = Tensor.zeros(dtype, batch, config.kvHeads(), maxTokens, config.headDim()).toPersistent();
        }
    }

    /** Positions already cached: the position of the next token. */
    public int length() {
        return length;
    }

    public int maxTokens() {
        return maxTokens;
    }

    /**
     * Writes layer {@code layer}'s keys and values [batch, kvHeads, tokens, headDim] of the new tokens after the
     * cached ones; returns views of all of them, cached and new: {keys, values} [batch, kvHeads, length+tokens, d].
     */
    Tensor[] append(int layer, Tensor k, Tensor v) {
        int tokens = k.dim(2), end = length + tokens;
        if (end > maxTokens) {
            throw new IllegalStateException("the KV cache holds " + maxTokens + " positions; " + end + " were asked for");
        }
        Compute.place(Compute.contiguous(k), keys[layer], 2, length);
        Compute.place(Compute.contiguous(v), values[layer], 2, length);
        return new Tensor[] {keys[layer].slice(2, 0, end), values[layer].slice(2, 0, end)};
    }

    /** Called once every layer has appended {@code tokens} new positions. */
    void advance(int tokens) {
        length += tokens;
    }
}
