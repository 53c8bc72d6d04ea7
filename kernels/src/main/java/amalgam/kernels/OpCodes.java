package amalgam.kernels;

/**
 * The integer codes the C kernels (enum amalgam_unary/amalgam_binary/amalgam_reduce/amalgam_election/
 * amalgam_divisor in native/cpu/amalgam.h)
 * and the CUDA kernels (the switch statements of native/cuda/elementwise.cu and reduce.cu) use for each op:
 * one table for both. Spelled out rather than taken from ordinal() so that reordering a Java enum cannot
 * silently change what a kernel computes, and a new constant fails to compile here until it has a code.
 */
public final class OpCodes {

    private OpCodes() {}

    public static int of(UnaryOp op) {
        return switch (op) {
            case IDENTITY -> 0;
            case NEG -> 1;
            case ABS -> 2;
            case SIGN -> 3;
            case SQUARE -> 4;
            case SQRT -> 5;
            case RECIPROCAL -> 6;
            case EXP -> 7;
            case LOG -> 8;
            case TANH -> 9;
            case SIGMOID -> 10;
            case RELU -> 11;
            case GELU_ERF -> 12;
            case GELU_TANH -> 13;
            case GELU_ERF_DERIVATIVE -> 14;
            case GELU_TANH_DERIVATIVE -> 15;
        };
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
