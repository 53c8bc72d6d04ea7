package amalgam.kernels;

/**
 * The integer codes the C and CUDA kernels use for each op: one table for both. Unary ops are numbered by
 * the list in native/include/amalgam_ops.h, which both kernel languages include and OpCodesTest checks
 * against the Java enum. The other codes (enum amalgam_binary/amalgam_reduce/amalgam_election/
 * amalgam_divisor in native/cpu/amalgam.h, the switch statements of native/cuda/elementwise.cu and
 * reduce.cu) are spelled out here, so that reordering a Java enum cannot silently change what a kernel
 * computes and a new constant fails to compile here until it has a code.
 */
public final class OpCodes {

    private OpCodes() {}

    /** The position of op in native/include/amalgam_ops.h's list, which OpCodesTest holds equal to its ordinal. */
    public static int of(UnaryOp op) {
        return op.ordinal();
    }

    public static int of(BinaryOp op) {
        return switch (op) {
            case ADD -> 0;
            case SUB -> 1;
            case MUL -> 2;
            case DIV -> 3;
            case MAX -> 4;
            case MIN -> 5;
            case POW -> 6;
            case EQUAL -> 7;
            case RELU_BACKWARD -> 8;
        };
    }

    public static int of(ReduceOp op) {
        return switch (op) {
            case SUM -> 0;
            case MAX -> 1;
            case MEAN -> 2;
        };
    }

    public static int of(ElectedMean.Election election) {
        return switch (election) {
            case NONE -> 0;
            case TOTAL -> 1;
            case FREQUENCY -> 2;
        };
    }

    public static int of(ElectedMean.Divisor divisor) {
        return switch (divisor) {
            case ONE -> 0;
            case AGREEING_COUNT -> 1;
            case AGREEING_WEIGHT -> 2;
        };
    }
}
