package amalgam.merge.adaptive;

import amalgam.engine.Tensor;

/**
 * The examples merge coefficients are fitted on, with the loss that measures the model on them: labelled
 * images ({@link LabelledImages}) or token sequences ({@link TokenBuffer}). The loss is built in the graph of
 * the current step from whatever the model computes with now, so a caller that has substituted merged
 * weights ({@link AdaptiveMerge#loss}) gets gradients with respect to the coefficients.
 */
public interface Buffer {

    /** Examples in the buffer (images, or text sequences). */
    int size();

    /** The model's mean loss over the buffer, as a scalar in the current step's graph. */
    Tensor loss();
}
