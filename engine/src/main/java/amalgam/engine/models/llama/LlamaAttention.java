package amalgam.engine.models.llama;

import amalgam.engine.Tensor;
import amalgam.engine.hub.TensorSource;
import amalgam.engine.nn.Linear;
import amalgam.engine.nn.Module;
import amalgam.engine.ops.Attention;
import amalgam.engine.ops.Rope;

/** Grouped-query causal self-attention with rotary positions: {@code self_attn.{q,k,v,o}_proj}. */
final class LlamaAttention extends Module {

    private final Linear q, k, v, o;
    private final int heads, kvHeads, headDim;
    private final double scale;

    LlamaAttention(LlamaConfig c, TensorSource weights, String prefix) {
        heads = c.heads();
        kvHeads = c.kvHeads();
        headDim = c.headDim();
        scale = 1.0 / Math.sqrt(headDim);
        q = child("q_proj", projection(weights, prefix + "q_proj", heads * headDim, c.hiddenSize(), c.qkvBias()));
        k = child("k_proj", projection(weights, prefix + "k_proj", kvHeads * headDim, c.hiddenSize(), c.qkvBias()));
        v = child("v_proj", projection(weights, prefix + "v_proj", kvHeads * headDim, c.hiddenSize(), c.qkvBias()));
        o = child("o_proj", projection(weights, prefix + "o_proj", c.hiddenSize(), heads * headDim, c.outputBias()));
    }

    static Linear projection(TensorSource weights, String name, int out, int in, boolean bias) {
        return Linear.frozen(weights.load(name + ".weight", out, in), bias ? weights.load(name + ".bias", out) : null);
    }

    /** x [batch, tokens, hidden] at the positions cos/sin [tokens, headDim] describe; cache may be null. */
    Tensor forward(Tensor x, Tensor cos, Tensor sin, KvCache cache, int layer) {
        int batch = x.dim(0), tokens = x.dim(1);
        Tensor qs = Rope.rotate(heads(q.forward(x), batch, tokens, heads), cos, sin);
        Tensor ks = Rope.rotate(heads(k.forward(x), batch, tokens, kvHeads), cos, sin);
        Tensor vs = heads(v.forward(x), batch, tokens, kvHeads);
        if (cache != null) {
            Tensor[] all = cache.append(layer, ks, vs);
            ks = all[0];
            vs = all[1];
        }
        Tensor mixed = Attention.scaledDotProduct(qs, ks, vs, scale, true);
        return o.forward(mixed.permute(0, 2, 1, 3).reshape(batch, tokens, heads * headDim));
    }

    /** [batch, tokens, n·d] → [batch, n, tokens, d] (a view). */
    private Tensor heads(Tensor projected, int batch, int tokens, int n) {
        return projected.reshape(batch, tokens, n, headDim).permute(0, 2, 1, 3);
    }

    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("attention needs positions: call forward(x, cos, sin, cache, layer)");
    }
}
