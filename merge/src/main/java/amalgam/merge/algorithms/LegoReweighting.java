package amalgam.merge.algorithms;

/**
 * LoRA-LEGO's parameter reweighting (`--lego-norm`): a centroid of several units is shorter than its members
 * (averaging cancels), so each of its halves a and b is rescaled to the mean norm of its members' halves.
 */
public enum LegoReweighting {
    /** No parameter reweighting: the raw mean of the members. */
    NONE,
    /** Euclidean norms (the default). */
    L2,
    /** Largest absolute entry, as in the public re-implementation. */
    LINF;

    double norm(double[] v, int from, int length) {
        double result = 0;
        for (int i = from; i < from + length; i++) {
            result = this == LINF ? Math.max(result, Math.abs(v[i])) : result + v[i] * v[i];
        }
        return this == LINF ? result : Math.sqrt(result);
    }
}
