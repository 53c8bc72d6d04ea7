package amalgam.engine.models.llama;

import amalgam.engine.Tensor;
import amalgam.engine.hub.TensorSource;
import amalgam.engine.nn.Module;
import amalgam.engine.nn.RmsNorm;

/** One pre-norm block: h = x + attn(norm(x)), then h + mlp(norm(h)); {@code model.layers.<i>}. */
final class LlamaDecoderLayer extends Module {

    private final RmsNorm inputNorm, postAttentionNorm;
    private final LlamaAttention attention;
    private final LlamaMlp mlp;
    private final int index;

    LlamaDecoderLayer(LlamaConfig c, TensorSource weights, String prefix, int index) {
        this.index = index;
        attention = child("self_attn", new LlamaAttention(c, weights, prefix + "self_attn."));
        mlp = child("mlp", new LlamaMlp(c, weights, prefix + "mlp."));
        inputNorm = child("input_layernorm",
                RmsNorm.frozen(weights.load(prefix + "input_layernorm.weight", c.hiddenSize()), c.rmsNormEps()));
        postAttentionNorm = child("post_attention_layernorm",
                RmsNorm.frozen(weights.load(prefix + "post_attention_layernorm.weight", c.hiddenSize()), c.rmsNormEps()));
    }

    Tensor forward(Tensor x, Tensor cos, Tensor sin, KvCache cache) {
        Tensor h = x.add(attention.forward(inputNorm.forward(x), cos, sin, cache, index));
        return h.add(mlp.forward(postAttentionNorm.forward(h)));
    }

    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("a decoder layer needs positions: call forward(x, cos, sin, cache)");
    }
}
