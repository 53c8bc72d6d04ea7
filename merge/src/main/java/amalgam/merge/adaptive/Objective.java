package amalgam.merge.adaptive;

import amalgam.engine.Tensor;
import amalgam.engine.ops.CrossEntropy;

/** What coefficient training minimises, from the merged model's logits on the buffer. */
@FunctionalInterface
public interface Objective {

    Tensor loss(Tensor logits, int[] labels);

    /** Cross-entropy against the buffer's labels (the study). */
    static Objective crossEntropy() {
        return CrossEntropy::crossEntropy;
    }

    /** AdaMerging's label-free objective: mean entropy of the predictions (labels ignored). */
    static Objective entropy() {
        return (logits, labels) -> {
            Tensor logProbabilities = logits.logSoftmax(1);
            return logProbabilities.exp().mul(logProbabilities).sum(1, false).mean().neg();
        };
    }
}
