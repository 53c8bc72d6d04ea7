package amalgam.merge.adaptive;

import amalgam.engine.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The examples merge coefficients are fitted on, with the loss that measures the model on them: labelled
 * images ({@link LabelledImages}) or token sequences ({@link TokenBuffer}). The loss is built in the graph of
 * the current step from whatever the model computes with now, so a caller that has substituted merged
 * weights ({@link AdaptiveMerge#loss}) gets gradients with respect to the coefficients.
 *
 * <p>A buffer is a mean over terms (scored tokens, images), so it can be evaluated in parts, each in a step
 * of its own, and the parts' losses weighted by their share of the terms give the whole loss and its
 * gradient: one part's activations in memory at a time instead of the whole buffer's
 * ({@link CoefficientTraining#lossAndGradient}).
 */
public interface Buffer {

    /** Examples in the buffer (images, or text sequences). */
    int size();

    /** The model's mean loss over the buffer, as a scalar in the current step's graph. */
    Tensor loss();

    /** The number of terms {@link #loss} averages: scored tokens, or images. */
    int terms();

    /** Examples {@code [from, to)} as a buffer of their own. */
    Buffer slice(int from, int to);

    /** At most this many examples per part: the whole buffer unless a kind of buffer bounds its parts. */
    default int examplesPerPart() {
        return size();
    }

    /** This buffer in consecutive parts of at most {@link #examplesPerPart} examples (itself when one suffices). */
    default List<Buffer> parts() {
        int per = Math.max(1, examplesPerPart());
        if (per >= size()) return List.of(this);
        List<Buffer> parts = new ArrayList<>();
        for (int from = 0; from < size(); from += per) parts.add(slice(from, Math.min(size(), from + per)));
        return parts;
    }
}
