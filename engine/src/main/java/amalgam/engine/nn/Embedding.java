package amalgam.engine.nn;

import amalgam.engine.DType;
import amalgam.engine.Tensor;
import amalgam.engine.ops.Joins;

import java.util.Random;

/** A lookup table of vectors (vocabulary × dim), initialised N(0, 1) as PyTorch does, or pretrained. */
public final class Embedding extends Module {

    private final Tensor weight;

    public Embedding(int vocabulary, int dim, DType dtype, Random random) {
        this.weight = parameter("weight", Tensor.randn(dtype, random, vocabulary, dim));
    }

    private Embedding(Tensor weight) {
        this.weight = frozen("weight", weight);
    }

    /** A pretrained table [vocabulary, dim]: it becomes a frozen parameter without a copy. */
    public static Embedding frozen(Tensor weight) {
        return new Embedding(weight);
    }

    public Tensor weight() {
        return weight;
    }

    /** The rows at {@code indices}, shaped {@code indexShape} + [dim]. */
    public Tensor lookup(int[] indices, int... indexShape) {
        return Joins.embedding(weight, indices, indexShape);
    }

    /** Not a tensor-to-tensor layer: use {@link #lookup}. */
    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("Embedding takes class indices: call lookup(int[], shape)");
    }
}
