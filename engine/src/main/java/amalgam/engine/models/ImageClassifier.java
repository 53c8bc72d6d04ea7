package amalgam.engine.models;

import amalgam.engine.Tensor;

import java.nio.file.Path;
import java.util.List;

/** A model that labels images: what `amalgam run --image` and training on image buffers need. */
public interface ImageClassifier extends LoadedModel {

    /** Class names by logit index (config.json's id2label). */
    List<String> labels();

    /** An image file as the model's preprocessor_config.json prepares it: [1, channels, height, width]. */
    Tensor pixels(Path imageFile);

    /** Logits [batch, labels] for pixels [batch, channels, height, width], in the graph. */
    Tensor logits(Tensor pixels);
}
