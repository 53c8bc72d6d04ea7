package amalgam.merge.adaptive;

import amalgam.engine.Tensor;
import amalgam.engine.nn.TinyViT;
import amalgam.engine.ops.Joins;
import amalgam.engine.ops.LayerNorm;

import java.util.List;
import java.util.Map;

/**
 * TinyViT's forward pass written over a parameter map, so that chosen linear weights can be replaced by tensors
 * computed in the graph (W0 + Σ αᵢ Dᵢ, or W0 + s·B·A). {@link TinyViT} owns fixed Linear modules and cannot do
 * that; {@code VitForwardTest} checks that this pass equals {@code TinyViT.forward} when nothing is replaced.
 */
public final class VitForward {

    /** The linear layers adapters attach to: qkv and output projections of both blocks. */
    public static final List<String> ADAPTED_MODULES = List.of(
            "blocks.0.attn.qkv", "blocks.0.attn.proj", "blocks.1.attn.qkv", "blocks.1.attn.proj");

    private static final double LAYER_NORM_EPS = 1e-5;

    private VitForward() {}

    /**
     * Logits [batch, 10] for images [batch, 784]. {@code parameters} are TinyViT's named parameters;
     * {@code weights} maps a module name ("blocks.0.attn.qkv") to the weight used instead of its own.
     */
    public static Tensor logits(Map<String, Tensor> parameters, Map<String, Tensor> weights, Tensor images) {
        int batch = images.dim(0), grid = TinyViT.GRID, patch = TinyViT.PATCH, dim = TinyViT.DIM;
        Tensor patches = images.reshape(batch, grid, patch, grid, patch).permute(0, 1, 3, 2, 4)
                .reshape(batch, TinyViT.TOKENS, patch * patch);
        Tensor tokens = linear(parameters, weights, "patch_embed", patches);
        Tensor cls = parameters.get("cls_token").expand(batch, 1, dim);
        Tensor x = Joins.concat(1, cls, tokens).add(parameters.get("pos_embed"));
        for (int i = 0; i < TinyViT.DEPTH; i++) x = block(parameters, weights, "blocks." + i + ".", x);
        Tensor clsOut = x.slice(1, 0, 1).reshape(batch, dim);
        return linear(parameters, weights, "head", norm(parameters, "norm", clsOut));
    }

    private static Tensor block(Map<String, Tensor> p, Map<String, Tensor> w, String prefix, Tensor x) {
        x = x.add(attention(p, w, prefix + "attn.", norm(p, prefix + "norm1", x)));
        Tensor hidden = linear(p, w, prefix + "fc1", norm(p, prefix + "norm2", x)).gelu();
        return x.add(linear(p, w, prefix + "fc2", hidden));
    }

    private static Tensor attention(Map<String, Tensor> p, Map<String, Tensor> w, String prefix, Tensor x) {
        int batch = x.dim(0), tokens = x.dim(1), dim = x.dim(2), heads = TinyViT.HEADS, headDim = dim / heads;
        Tensor split = linear(p, w, prefix + "qkv", x).reshape(batch, tokens, 3, heads, headDim)
                .permute(2, 0, 3, 1, 4).contiguous();
        Tensor q = split.slice(0, 0, 1).reshape(batch, heads, tokens, headDim);
        Tensor k = split.slice(0, 1, 2).reshape(batch, heads, tokens, headDim);
        Tensor v = split.slice(0, 2, 3).reshape(batch, heads, tokens, headDim);
        Tensor attention = q.matmul(k.mT()).mul(1.0 / Math.sqrt(headDim)).softmax(-1);
        Tensor mixed = attention.matmul(v).permute(0, 2, 1, 3).reshape(batch, tokens, dim);
        return linear(p, w, prefix + "proj", mixed);
    }

    private static Tensor linear(Map<String, Tensor> p, Map<String, Tensor> w, String module, Tensor x) {
        Tensor weight = w.getOrDefault(module, p.get(module + ".weight"));
        return x.matmul(weight.mT()).add(p.get(module + ".bias"));
    }

    private static Tensor norm(Map<String, Tensor> p, String module, Tensor x) {
        return LayerNorm.layerNorm(x, p.get(module + ".weight"), p.get(module + ".bias"), LAYER_NORM_EPS);
    }
}
