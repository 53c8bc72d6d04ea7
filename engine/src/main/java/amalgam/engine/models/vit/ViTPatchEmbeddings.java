package amalgam.engine.models.vit;

import amalgam.engine.Tensor;
import amalgam.engine.hub.TensorSource;
import amalgam.engine.nn.Module;

import java.util.Arrays;

/**
 * The patch projection, a Conv2d with kernel = stride = P, computed as one GEMM: the image is cut into patches
 * flattened in (C, P, P) order, the order of the conv weight [hidden, C, P, P], which is kept as stored so the
 * parameter matches its checkpoint key ({@code projection.weight}).
 */
final class ViTPatchEmbeddings extends Module {

    private final ViTConfig config;
    private final Tensor weight, bias;

    ViTPatchEmbeddings(ViTConfig config, TensorSource checkpoint, String prefix) {
        this.config = config;
        int c = config.numChannels(), p = config.patchSize(), hidden = config.hiddenSize();
        this.weight = frozen("projection.weight", checkpoint.load(prefix + "projection.weight", hidden, c, p, p));
        this.bias = frozen("projection.bias", checkpoint.load(prefix + "projection.bias", hidden));
    }

    /** [B, C, H, W] pixels → [B, patches, hidden], patches in row-major order as the conv's flatten(2) gives. */
    @Override
    public Tensor forward(Tensor pixels) {
        int c = config.numChannels(), p = config.patchSize(), g = config.grid(), size = config.imageSize();
        if (pixels.rank() != 4 || pixels.dim(1) != c || pixels.dim(2) != size || pixels.dim(3) != size) {
            throw new IllegalArgumentException("ViT pixels must be [batch, " + c + ", " + size + ", " + size
                    + "], got " + Arrays.toString(pixels.shape()));
        }
        int batch = pixels.dim(0);
        Tensor patches = pixels.reshape(batch, c, g, p, g, p).permute(0, 2, 4, 1, 3, 5).reshape(batch, g * g, c * p * p);
        return patches.matmul(weight.reshape(weight.dim(0), c * p * p).mT()).add(bias);
    }
}
