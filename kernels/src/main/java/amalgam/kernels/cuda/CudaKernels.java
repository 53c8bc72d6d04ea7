package amalgam.kernels.cuda;

import java.util.List;

/**
 * Every kernel the Java side launches, in one place: callers refer to these constants, and a test checks
 * that the built PTX defines each of them, so a kernel renamed or missing in native/cuda fails on any
 * machine with nvcc, GPU or not.
 */
public final class CudaKernels {

    /** (m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC) */
    private static final String GEMM = "i32 i32 i32 f32 ptr i64 i64 ptr i64 i64 f32 ptr i64 i64";
    /** The strided kernels' struct: rank, shape[8], a-strides[8], b-strides[8]. */
    private static final String STRIDES = "i64x" + (1 + 3 * StridedLayout.MAX_RANK);
    /** (rows, cols, x, out) */
    private static final String ROWS_FORWARD = "i32 i32 ptr ptr";
    /** (rows, cols, y, dy, dx) */
    private static final String ROWS_BACKWARD = "i32 i32 ptr ptr ptr";

    public static final KernelRef SGEMM_NN = new KernelRef("sgemm", "sgemm_nn", GEMM);
    public static final KernelRef SGEMM_NT = new KernelRef("sgemm", "sgemm_nt", GEMM);
    public static final KernelRef SGEMM_TN = new KernelRef("sgemm", "sgemm_tn", GEMM);
    public static final KernelRef SGEMM_TT = new KernelRef("sgemm", "sgemm_tt", GEMM);
    public static final KernelRef TF32_NN = new KernelRef("gemm_tf32", "gemm_tf32_nn", GEMM);
    public static final KernelRef TF32_NT = new KernelRef("gemm_tf32", "gemm_tf32_nt", GEMM);
    public static final KernelRef TF32_TN = new KernelRef("gemm_tf32", "gemm_tf32_tn", GEMM);
    public static final KernelRef TF32_TT = new KernelRef("gemm_tf32", "gemm_tf32_tt", GEMM);

    public static final KernelRef UNARY = new KernelRef("elementwise", "unary_f32", "i32 i64 ptr ptr");
    public static final KernelRef AFFINE = new KernelRef("elementwise", "affine_f32", "i64 f32 f32 ptr ptr");
    public static final KernelRef FILL = new KernelRef("elementwise", "fill_f32", "i64 f32 ptr");
    public static final KernelRef BINARY_STRIDED = new KernelRef("elementwise", "binary_strided_f32", "i32 i64 " + STRIDES + " ptr ptr ptr");
    public static final KernelRef COPY_STRIDED = new KernelRef("elementwise", "copy_strided_f32", "i64 " + STRIDES + " ptr ptr");

    public static final KernelRef REDUCE_ROWS = new KernelRef("reduce", "reduce_rows_f32", "i32 i32 i32 ptr ptr");
    public static final KernelRef REDUCE_COLUMNS = new KernelRef("reduce", "reduce_columns_f32", "i32 i32 i32 i32 ptr ptr");

    public static final KernelRef SOFTMAX = new KernelRef("softmax", "softmax_rows_f32", ROWS_FORWARD);
    public static final KernelRef LOG_SOFTMAX = new KernelRef("softmax", "log_softmax_rows_f32", ROWS_FORWARD);
    public static final KernelRef SOFTMAX_BACKWARD = new KernelRef("softmax", "softmax_backward_rows_f32", ROWS_BACKWARD);
    public static final KernelRef LOG_SOFTMAX_BACKWARD = new KernelRef("softmax", "log_softmax_backward_rows_f32", ROWS_BACKWARD);

    public static final KernelRef LAYERNORM = new KernelRef("layernorm", "layernorm_rows_f32", "i32 i32 f32 ptr ptr ptr ptr ptr ptr");
    public static final KernelRef LAYERNORM_BACKWARD = new KernelRef("layernorm", "layernorm_backward_rows_f32", "i32 i32 ptr ptr ptr ptr ptr ptr");
    public static final KernelRef LAYERNORM_PARAM_GRADS = new KernelRef("layernorm", "layernorm_param_grads_f32", "i32 i32 ptr ptr ptr ptr ptr ptr");
    public static final KernelRef RMSNORM = new KernelRef("layernorm", "rmsnorm_rows_f32", "i32 i32 f32 ptr ptr ptr ptr");
    public static final KernelRef RMSNORM_BACKWARD = new KernelRef("layernorm", "rmsnorm_backward_rows_f32", "i32 i32 ptr ptr ptr ptr ptr");
    public static final KernelRef ROPE = new KernelRef("rope", "rope_rows_f32", "i32 i32 i32 ptr ptr ptr ptr");

    public static final KernelRef LORA_FORWARD_UP = new KernelRef("lora", "lora_forward_up", "i32 i32 i32 i32 ptr i64 ptr i64 ptr i64 ptr i64 ptr i64");

    public static final KernelRef RADIX_HISTOGRAM = new KernelRef("select", "abs_radix_histogram", "i64 ptr ptr i32 ptr");
    public static final KernelRef RADIX_SELECT_BUCKET = new KernelRef("select", "abs_radix_select_bucket", "ptr i32 ptr");
    public static final KernelRef PRUNE_COUNT_EQUAL = new KernelRef("select", "prune_count_equal", "i64 ptr i32 i64 ptr");
    public static final KernelRef PRUNE_CHUNK_OFFSETS = new KernelRef("select", "prune_chunk_offsets", "i64 ptr");
    public static final KernelRef PRUNE_APPLY = new KernelRef("select", "prune_apply", "i64 ptr i32 i64 i64 ptr ptr");

    public static final KernelRef TIES_ELECT_SIGN = new KernelRef("merge", "ties_elect_sign", "i32 i32 i64 i64 ptr ptr ptr");
    public static final KernelRef TIES_DISJOINT_MERGE = new KernelRef("merge", "ties_disjoint_merge", "i32 i32 i32 i64 i64 ptr ptr ptr");
    public static final KernelRef DARE_KEEP_MASK = new KernelRef("merge", "dare_keep_mask", "i64 i64 i64 i32 f64 ptr");
    public static final KernelRef DARE_APPLY = new KernelRef("merge", "dare_apply", "i64 i64 i64 i32 f64 f32 ptr ptr");

    public static final List<KernelRef> ALL = List.of(
            SGEMM_NN, SGEMM_NT, SGEMM_TN, SGEMM_TT, TF32_NN, TF32_NT, TF32_TN, TF32_TT,
            UNARY, AFFINE, FILL, BINARY_STRIDED, COPY_STRIDED, REDUCE_ROWS, REDUCE_COLUMNS,
            SOFTMAX, LOG_SOFTMAX, SOFTMAX_BACKWARD, LOG_SOFTMAX_BACKWARD,
            LAYERNORM, LAYERNORM_BACKWARD, LAYERNORM_PARAM_GRADS, RMSNORM, RMSNORM_BACKWARD, ROPE, LORA_FORWARD_UP,
            RADIX_HISTOGRAM, RADIX_SELECT_BUCKET, PRUNE_COUNT_EQUAL, PRUNE_CHUNK_OFFSETS, PRUNE_APPLY,
            TIES_ELECT_SIGN, TIES_DISJOINT_MERGE, DARE_KEEP_MASK, DARE_APPLY);

    /** The PTX modules, one per native/cuda/*.cu file. */
    public static final List<String> MODULES = ALL.stream().map(KernelRef::module).distinct().toList();

    private CudaKernels() {}
}
