package amalgam.kernels.cuda;

import java.util.List;

/**
 * Every kernel the Java side launches, in one place: callers refer to these constants, and a test checks
 * that the built PTX defines each of them, so a kernel renamed or missing in native/cuda fails on any
 * machine with nvcc, GPU or not.
 */
public final class CudaKernels {

    public static final KernelRef SGEMM_NN = new KernelRef("sgemm", "sgemm_nn");
    public static final KernelRef SGEMM_NT = new KernelRef("sgemm", "sgemm_nt");
    public static final KernelRef SGEMM_TN = new KernelRef("sgemm", "sgemm_tn");
    public static final KernelRef SGEMM_TT = new KernelRef("sgemm", "sgemm_tt");
    public static final KernelRef TF32_NN = new KernelRef("gemm_tf32", "gemm_tf32_nn");
    public static final KernelRef TF32_NT = new KernelRef("gemm_tf32", "gemm_tf32_nt");
    public static final KernelRef TF32_TN = new KernelRef("gemm_tf32", "gemm_tf32_tn");
    public static final KernelRef TF32_TT = new KernelRef("gemm_tf32", "gemm_tf32_tt");

    public static final KernelRef UNARY = new KernelRef("elementwise", "unary_f32");
    public static final KernelRef AFFINE = new KernelRef("elementwise", "affine_f32");
    public static final KernelRef FILL = new KernelRef("elementwise", "fill_f32");
    public static final KernelRef BINARY_STRIDED = new KernelRef("elementwise", "binary_strided_f32");
    public static final KernelRef COPY_STRIDED = new KernelRef("elementwise", "copy_strided_f32");

    public static final KernelRef REDUCE_ROWS = new KernelRef("reduce", "reduce_rows_f32");
    public static final KernelRef REDUCE_COLUMNS = new KernelRef("reduce", "reduce_columns_f32");

    public static final KernelRef SOFTMAX = new KernelRef("softmax", "softmax_rows_f32");
    public static final KernelRef LOG_SOFTMAX = new KernelRef("softmax", "log_softmax_rows_f32");
    public static final KernelRef SOFTMAX_BACKWARD = new KernelRef("softmax", "softmax_backward_rows_f32");
    public static final KernelRef LOG_SOFTMAX_BACKWARD = new KernelRef("softmax", "log_softmax_backward_rows_f32");

    public static final KernelRef LAYERNORM = new KernelRef("layernorm", "layernorm_rows_f32");
    public static final KernelRef LAYERNORM_BACKWARD = new KernelRef("layernorm", "layernorm_backward_rows_f32");
    public static final KernelRef LAYERNORM_PARAM_GRADS = new KernelRef("layernorm", "layernorm_param_grads_f32");

    public static final KernelRef LORA_FORWARD_UP = new KernelRef("lora", "lora_forward_up");

    public static final KernelRef RADIX_HISTOGRAM = new KernelRef("select", "abs_radix_histogram");
    public static final KernelRef RADIX_SELECT_BUCKET = new KernelRef("select", "abs_radix_select_bucket");
    public static final KernelRef PRUNE_COUNT_EQUAL = new KernelRef("select", "prune_count_equal");
    public static final KernelRef PRUNE_APPLY = new KernelRef("select", "prune_apply");

    public static final KernelRef TIES_ELECT_SIGN = new KernelRef("merge", "ties_elect_sign");
    public static final KernelRef TIES_DISJOINT_MERGE = new KernelRef("merge", "ties_disjoint_merge");
    public static final KernelRef DARE_KEEP_MASK = new KernelRef("merge", "dare_keep_mask");
    public static final KernelRef DARE_APPLY = new KernelRef("merge", "dare_apply");

    public static final List<KernelRef> ALL = List.of(
            SGEMM_NN, SGEMM_NT, SGEMM_TN, SGEMM_TT, TF32_NN, TF32_NT, TF32_TN, TF32_TT,
            UNARY, AFFINE, FILL, BINARY_STRIDED, COPY_STRIDED, REDUCE_ROWS, REDUCE_COLUMNS,
            SOFTMAX, LOG_SOFTMAX, SOFTMAX_BACKWARD, LOG_SOFTMAX_BACKWARD,
            LAYERNORM, LAYERNORM_BACKWARD, LAYERNORM_PARAM_GRADS, LORA_FORWARD_UP,
            RADIX_HISTOGRAM, RADIX_SELECT_BUCKET, PRUNE_COUNT_EQUAL, PRUNE_APPLY,
            TIES_ELECT_SIGN, TIES_DISJOINT_MERGE, DARE_KEEP_MASK, DARE_APPLY);

    /** The PTX modules, one per native/cuda/*.cu file. */
    public static final List<String> MODULES = ALL.stream().map(KernelRef::module).distinct().toList();

    private CudaKernels() {}
}
