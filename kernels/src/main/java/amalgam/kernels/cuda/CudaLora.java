package amalgam.kernels.cuda;

import java.lang.foreign.MemorySegment;

/**
 * The LoRA forward pass y = x·W0ᵀ + s·(x·Aᵀ)·Bᵀ on the GPU, with x m×in, W0 out×in, A r×in, B out×r and
 * y m×out, all contiguous row-major. Two launches: the thin T = s·x·Aᵀ, then one fused kernel accumulating
 * x·W0ᵀ and T·Bᵀ into the same registers, so the m×out result is written once.
 */
public final class CudaLora {

    private static final int TILE = 128;

    private final CudaContext context;

    public CudaLora(CudaContext context) {
        this.context = context;
    }

    public void forward(int m, int in, int out, int rank, float scale, MemorySegment x, MemorySegment w0,
                        MemorySegment a, MemorySegment b, MemorySegment y) {
        if (m < 0 || in < 0 || out < 0 || rank < 0) {
            throw new IllegalArgumentException("negative LoRA size: m=" + m + " in=" + in + " out=" + out + " r=" + rank);
        }
        if (m == 0 || out == 0) return;
        try (CudaContext.Scope scope = context.enter();
             Staged dx = Staged.upload(context, x, 0, (long) m * in);
             Staged dw = Staged.upload(context, w0, 0, (long) out * in);
             Staged da = Staged.upload(context, a, 0, (long) rank * in);
             Staged db = Staged.upload(context, b, 0, (long) out * rank);
             Staged dt = Staged.allocate(context, (long) m * rank);
             Staged dy = Staged.allocate(context, (long) m * out)) {
            if (rank > 0) {
                // T = s · x · Aᵀ: C(m×r) = alpha · x(m×in) · op(A) with A stored r×in, transposed.
                context.launch(CudaKernels.SGEMM_NT, ceilDiv(rank, TILE), ceilDiv(m, TILE), 1, 256,
                        KernelArgs.of().i32(m).i32(rank).i32(in).f32(scale)
                                .ptr(dx.at()).i64(in).i64(0).ptr(da.at()).i64(in).i64(0)
                                .f32(0f).ptr(dt.at()).i64(rank).i64(0));
            }
            context.launch(CudaKernels.LORA_FORWARD_UP, ceilDiv(out, TILE), ceilDiv(m, TILE), 1, 256,
                    KernelArgs.of().i32(m).i32(out).i32(in).i32(rank)
                            .ptr(dx.at()).i64(in).ptr(dw.at()).i64(in)
                            .ptr(dt.at()).i64(Math.max(rank, 1)).ptr(db.at()).i64(Math.max(rank, 1))
                            .ptr(dy.at()).i64(out));
            dy.download(context, (long) m * out, y, 0);
        }
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }
}
