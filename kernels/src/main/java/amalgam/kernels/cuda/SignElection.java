package amalgam.kernels.cuda;

/** How TIES elects the majority sign of each entry (docs/merging.md); a zero total counts as positive. */
public enum SignElection {
    /** Sign of Σ p_i over the unweighted pruned tensors (PEFT's default, "total"). */
    TOTAL(0),
    /** Sign of Σ sign(p_i) (PEFT's "frequency"). */
    FREQUENCY(1),
    /** Sign of Σ w_i p_i (mergekit). */
    WEIGHTED(2);

    /** The kernel's mode number (native/cuda/merge.cu). */
    final int code;

    SignElection(int code) {
        this.code = code;
    }
}
