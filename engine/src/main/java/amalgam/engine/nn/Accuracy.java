package amalgam.engine.nn;

import amalgam.engine.Tensor;

/** Classification accuracy of logits [batch, classes] against class indices. */
public final class Accuracy {

    private Accuracy() {}

    /** Fraction of rows whose largest logit is at the label (ties go to the lower class). */
    public static double of(Tensor logits, int[] labels) {
        int rows = logits.dim(0), cols = logits.dim(1);
        double[] values = logits.toDoubleArray();
        int correct = 0;
        for (int r = 0; r < rows; r++) {
            int best = 0;
            for (int c = 1; c < cols; c++) if (values[r * cols + c] > values[r * cols + best]) best = c;
            if (best == labels[r]) correct++;
        }
        return (double) correct / rows;
    }
}
