package amalgam.engine.models.vit;

import amalgam.engine.Tensor;
import amalgam.engine.hub.TensorSource;
import amalgam.engine.nn.LayerNorm;
import amalgam.engine.nn.Linear;
import amalgam.engine.nn.Module;
import amalgam.engine.ops.Attention;

/**
 * One pre-norm encoder layer, its children named as the checkpoint's keys under {@code vit.encoder.layer.i.}:
 * x + attention.output.dense(attention(layernorm_before(x))), then
 * x + output.dense(act(intermediate.dense(layernorm_after(x)))).
 */
final class ViTLayer extends Module {

    private final ViTConfig config;
    private final LayerNorm layernormBefore, layernormAfter;
    private final Linear query, key, value, attentionOutput, intermediate, output;

    ViTLayer(ViTConfig config, TensorSource checkpoint, String prefix) {
        this.config = config;
        int hidden = config.hiddenSize(), inner = config.intermediateSize();
        boolean qkvBias = config.qkvBias();
        this.layernormBefore = child("layernorm_before", layerNorm(config, checkpoint, prefix + "layernorm_before."));
        this.query = linear(checkpoint, prefix, "attention.attention.query", hidden, hidden, qkvBias);
        this.key = linear(checkpoint, prefix, "attention.attention.key", hidden, hidden, qkvBias);
        this.value = linear(checkpoint, prefix, "attention.attention.value", hidden, hidden, qkvBias);
        this.attentionOutput = linear(checkpoint, prefix, "attention.output.dense", hidden, hidden, true);
        this.layernormAfter = child("layernorm_after", layerNorm(config, checkpoint, prefix + "layernorm_after."));
        this.intermediate = linear(checkpoint, prefix, "intermediate.dense", hidden, inner, true);
        this.output = linear(checkpoint, prefix, "output.dense", inner, hidden, true);
    }

    private Linear linear(TensorSource checkpoint, String prefix, String name, int in, int out, boolean bias) {
        return child(name, load(checkpoint, prefix + name + ".", in, out, bias));
    }

    /** A checkpoint's Linear layer: weight [out, in] and, with {@code bias}, bias [out]. */
    static Linear load(TensorSource checkpoint, String prefix, int in, int out, boolean bias) {
        return Linear.frozen(checkpoint.load(prefix + "weight", out, in), bias ? checkpoint.load(prefix + "bias", out) : null);
    }

    static LayerNorm layerNorm(ViTConfig config, TensorSource checkpoint, String prefix) {
        int hidden = config.hiddenSize();
        return new LayerNorm(checkpoint.load(prefix + "weight", hidden), checkpoint.load(prefix + "bias", hidden),
                config.layerNormEps());
    }

    /** [B, T, hidden] → [B, T, hidden]. */
    @Override
    public Tensor forward(Tensor x) {
        x = x.add(attentionOutput.forward(selfAttention(layernormBefore.forward(x))));
        Tensor h = config.activation().apply(intermediate.forward(layernormAfter.forward(x)));
        return x.add(output.forward(h));
    }

    private Tensor selfAttention(Tensor x) {
        int batch = x.dim(0), tokens = x.dim(1), heads = config.numAttentionHeads(), d = config.headDim();
        Tensor q = heads(query.forward(x), batch, tokens, heads, d);
        Tensor k = heads(key.forward(x), batch, tokens, heads, d);
        Tensor v = heads(value.forward(x), batch, tokens, heads, d);
        Tensor mixed = Attention.scaledDotProduct(q, k, v, 1 / Math.sqrt(d), false);
        return mixed.permute(0, 2, 1, 3).reshape(batch, tokens, heads * d);
    }

    /** [B, T, H·d] → [B, H, T, d]. */
    private static Tensor heads(Tensor x, int batch, int tokens, int heads, int d) {
        return x.reshape(batch, tokens, heads, d).permute(0, 2, 1, 3);
    }
}
