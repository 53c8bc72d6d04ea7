package amalgam.engine.models.vit;

import amalgam.engine.Tensor;
import amalgam.engine.hub.Checkpoint;
import amalgam.engine.hub.TensorSource;
import amalgam.engine.models.ImageClassifier;
import amalgam.engine.nn.LayerNorm;
import amalgam.engine.nn.Linear;
import amalgam.engine.nn.Module;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * transformers' {@code ViTForImageClassification}, built from a checkpoint's tensors, with parameters named as
 * its keys ({@code vit.embeddings.cls_token}, {@code vit.encoder.layer.0.attention.attention.query.weight}, …,
 * {@code classifier.weight}). Every base weight is frozen; {@link #logits} is differentiable, so adapters
 * attached to its Linear layers (or the input) can be trained through it.
 */
public final class ViTForImageClassification extends Module implements ImageClassifier {

    private final ViTConfig config;
    private final ImagePreprocessor preprocessor; // null when the directory has no preprocessor_config.json
    private final ViTEmbeddings embeddings;
    private final List<ViTLayer> layers = new ArrayList<>();
    private final LayerNorm layernorm;
    private final Linear classifier;

    /**
     * The model over weights by checkpoint name (a {@link Checkpoint}, or random F64 tensors in gradient checks);
     * {@code preprocessor} may be null when images arrive as pixels.
     */
    public ViTForImageClassification(ViTConfig config, TensorSource checkpoint, ImagePreprocessor preprocessor) {
        this.config = config;
        this.preprocessor = preprocessor;
        this.embeddings = child("vit.embeddings", new ViTEmbeddings(config, checkpoint, "vit.embeddings."));
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            String name = "vit.encoder.layer." + i;
            layers.add(child(name, new ViTLayer(config, checkpoint, name + ".")));
        }
        this.layernorm = child("vit.layernorm", ViTLayer.layerNorm(config, checkpoint, "vit.layernorm."));
        this.classifier = child("classifier",
                ViTLayer.load(checkpoint, "classifier.", config.hiddenSize(), config.numLabels(), true));
    }

    /** The model of an open checkpoint directory, with its image preprocessor when the directory has one. */
    public static ViTForImageClassification load(Checkpoint checkpoint) {
        ViTConfig config = ViTConfig.from(checkpoint.config());
        Path preprocessorConfig = checkpoint.directory().resolve(ImagePreprocessor.CONFIG);
        ImagePreprocessor preprocessor = Files.exists(preprocessorConfig) ? ImagePreprocessor.read(preprocessorConfig) : null;
        return new ViTForImageClassification(config, checkpoint, preprocessor);
    }

    /** {@link #load(Checkpoint)} for a directory; the weights are copied out, so the files are closed again. */
    public static ViTForImageClassification load(Path directory) {
        try (Checkpoint checkpoint = Checkpoint.open(directory)) {
            return load(checkpoint);
        }
    }

    public ViTConfig config() {
        return config;
    }

    @Override
    public String architecture() {
        return "ViTForImageClassification";
    }

    @Override
    public Module module() {
        return this;
    }

    /** PEFT 0.21 names ViT's modules as transformers 5 does; the tree keeps the checkpoint's names. */
    @Override
    public String modulePath(String adapterModule) {
        return ViTModuleNames.checkpointName(adapterModule);
    }

    @Override
    public Tensor pixels(Path imageFile) {
        return preprocessor().pixels(imageFile);
    }

    /** Class names by logit index (config.json's id2label). */
    @Override
    public List<String> labels() {
        return config.labels();
    }

    /** The preprocessing of the model directory's preprocessor_config.json. */
    public ImagePreprocessor preprocessor() {
        if (preprocessor == null) {
            throw new IllegalStateException("the model directory has no " + ImagePreprocessor.CONFIG
                    + ": build an ImagePreprocessor from one, or pass pixel values to logits()");
        }
        return preprocessor;
    }

    /** Logits [B, num_labels] for pixels [B, C, image_size, image_size] as the image processor makes them. */
    @Override
    public Tensor logits(Tensor pixels) {
        Tensor x = embeddings.forward(pixels);
        for (ViTLayer layer : layers) x = layer.forward(x);
        // The final norm is per token and only the cls token is classified, so only it is normalised.
        Tensor cls = x.slice(1, 0, 1).reshape(x.dim(0), config.hiddenSize());
        return classifier.forward(layernorm.forward(cls));
    }

    @Override
    public Tensor forward(Tensor pixels) {
        return logits(pixels);
    }
}
