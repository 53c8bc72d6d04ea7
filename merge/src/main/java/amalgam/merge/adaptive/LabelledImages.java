package amalgam.merge.adaptive;

import amalgam.engine.Tensor;

import java.util.function.UnaryOperator;

/**
 * Images with their class indices, scored by an {@link Objective} on a classifier's logits. {@code classifier}
 * is the model's own forward (TinyViT's {@code forward}, an {@code ImageClassifier}'s {@code logits}).
 *
 * @param images a persistent batch the classifier takes ([n, 784] for TinyViT, [n, 3, h, w] for a ViT)
 * @param labels one class per image (any values for a label-free objective)
 */
public record LabelledImages(UnaryOperator<Tensor> classifier, Tensor images, int[] labels, Objective objective)
        implements Buffer {

    public LabelledImages {
        if (images.dim(0) != labels.length) {
            throw new IllegalArgumentException(images.dim(0) + " images but " + labels.length + " labels");
        }
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public Tensor loss() {
        return objective.loss(classifier.apply(images), labels);
    }

    @Override
    public int terms() {
        return labels.length;
    }

    @Override
    public LabelledImages slice(int from, int to) {
        return new LabelledImages(classifier, images.slice(0, from, to), java.util.Arrays.copyOfRange(labels, from, to),
                objective);
    }

    /** A ViT's activations are a few MB per image: 64 at a time bound a part well under a gigabyte. */
    @Override
    public int examplesPerPart() {
        return 64;
    }
}
