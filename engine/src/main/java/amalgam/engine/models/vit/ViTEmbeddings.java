package amalgam.engine.models.vit;

import amalgam.engine.Tensor;
import amalgam.engine.hub.TensorSource;
import amalgam.engine.nn.Module;
import amalgam.engine.ops.Joins;

/** Patch embeddings with the cls token in front and learned position embeddings added (no interpolation). */
final class ViTEmbeddings extends Module {

    private final Tensor clsToken, positionEmbeddings;
    private final ViTPatchEmbeddings patchEmbeddings;

    ViTEmbeddings(ViTConfig config, TensorSource checkpoint, String prefix) {
        int hidden = config.hiddenSize();
        this.clsToken = frozen("cls_token", checkpoint.load(prefix + "cls_token", 1, 1, hidden));
        this.positionEmbeddings = frozen("position_embeddings",
                checkpoint.load(prefix + "position_embeddings", 1, config.tokens(), hidden));
        this.patchEmbeddings = child("patch_embeddings",
                new ViTPatchEmbeddings(config, checkpoint, prefix + "patch_embeddings."));
    }

    @Override
    public Tensor forward(Tensor pixels) {
        Tensor patches = patchEmbeddings.forward(pixels);
        Tensor cls = clsToken.expand(pixels.dim(0), 1, clsToken.dim(2));
        return Joins.concat(1, cls, patches).add(positionEmbeddings);
    }
}
