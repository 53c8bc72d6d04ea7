package amalgam.kernels.cuda;

import amalgam.kernels.CounterRandom;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The merge kernels on the GPU, host segments in and out: exact top-k magnitude pruning, TIES sign election
 * and disjoint merge, and DARE masks from {@link CounterRandom}, the CPU's generator. A "stack" is {@code count} tensors of {@code n} floats
 * laid end to end.
 */
public final class CudaMerge {

    /** Elements per block in the pruning kernels: 16 tiles of 256. */
    private static final long PRUNE_CHUNK = 256 * 16;

    private final CudaContext context;

    public CudaMerge(CudaContext context) {
        this.context = context;
    }

    /**
     * Keeps the k entries of largest |x| (ties broken toward lower indices, as docs/merging.md's magnitude prune
     * says) and writes zeros elsewhere. k ≤ 0 gives zeros; k ≥ n copies x. out may be x.
     */
    public void keepLargestAbs(long n, long k, MemorySegment x, long xOffset, MemorySegment out, long outOffset) {
        if (n <= 0) return;
        try (CudaContext.Scope scope = context.enter();
             Staged dx = Staged.upload(context, x, xOffset, n);
             Staged dout = Staged.allocate(context, n)) {
            if (k <= 0) {
                context.launch1d(CudaKernels.FILL, n, KernelArgs.of().i64(n).f32(0f).ptr(dout.at()));
                dout.download(context, n, out, outOffset);
                return;
            }
            if (k >= n) {
                dx.download(context, n, out, outOffset);
                return;
            }
            CudaSelection.Result threshold = CudaSelection.select(context, n, k, dx.at());
            long chunks = (n + PRUNE_CHUNK - 1) / PRUNE_CHUNK;
            try (Staged counts = Staged.allocate(context, 2 * chunks)) { // chunks × uint64
                context.launch(CudaKernels.PRUNE_COUNT_EQUAL, (int) chunks, 1, 1, 256, KernelArgs.of().i64(n)
                        .ptr(dx.at()).i32(threshold.thresholdBits()).i64(PRUNE_CHUNK).ptr(counts.at()));
                // One block turns the counts into offsets once; 1024 threads walk them in the fewest tiles.
                context.launch(CudaKernels.PRUNE_CHUNK_OFFSETS, 1, 1, 1, 1024,
                        KernelArgs.of().i64(chunks).ptr(counts.at()));
                context.launch(CudaKernels.PRUNE_APPLY, (int) chunks, 1, 1, 256, KernelArgs.of().i64(n)
                        .ptr(dx.at()).i32(threshold.thresholdBits()).i64(threshold.rankAmongEqual())
                        .i64(PRUNE_CHUNK).ptr(counts.at()).ptr(dout.at()));
            }
            dout.download(context, n, out, outOffset);
        }
    }

    /** sign[i] = the elected majority sign (+1 or −1) of entry i over the stack. */
    public void electSign(SignElection mode, int count, long n, MemorySegment stack, float[] weights,
                          MemorySegment sign) {
        checkWeights(count, weights);
        if (n <= 0) return;
        try (CudaContext.Scope scope = context.enter();
             Staged dp = Staged.upload(context, stack, 0, (long) count * n);
             Staged dw = uploadWeights(weights);
             Staged dsign = Staged.allocate(context, n)) {
            context.launch1d(CudaKernels.TIES_ELECT_SIGN, n, KernelArgs.of().i32(mode.code).i32(count).i64(n)
                    .i64(n).ptr(dp.at()).ptr(dw.at()).ptr(dsign.at()));
            dsign.download(context, n, sign, 0);
        }
    }

    /**
     * TIES election and disjoint merge of already-pruned tensors: out[i] = Σ w_t p_t over the entries whose
     * sign matches the elected one (zeros never match), divided by their number (at least 1), or by the sum
     * of their weights when {@code normalizeByWeight} (mergekit; 0 where none match).
     */
    public void tiesMerge(SignElection mode, boolean normalizeByWeight, int count, long n, MemorySegment stack,
                          float[] weights, MemorySegment out) {
        checkWeights(count, weights);
        if (n <= 0) return;
        try (CudaContext.Scope scope = context.enter();
             Staged dp = Staged.upload(context, stack, 0, (long) count * n);
             Staged dw = uploadWeights(weights);
             Staged dout = Staged.allocate(context, n)) {
            context.launch1d(CudaKernels.TIES_DISJOINT_MERGE, n, KernelArgs.of().i32(mode.code)
                    .i32(normalizeByWeight ? 1 : 0).i32(count).i64(n).i64(n).ptr(dp.at()).ptr(dw.at())
                    .ptr(dout.at()));
            dout.download(context, n, out, 0);
        }
    }

    /**
     * mask[i] = 1 where DARE keeps element i of adapter {@code adapter} in {@code stream}, else 0: exactly
     * {@link CounterRandom#keeps}, so the CPU's {@code KeepMask.seeded(seed)} draws the same mask.
     */
    public void dareMask(long n, long seed, long stream, int adapter, double probability, MemorySegment mask) {
        if (n <= 0) return;
        try (CudaContext.Scope scope = context.enter(); Staged dmask = Staged.allocate(context, n)) {
            context.launch1d(CudaKernels.DARE_KEEP_MASK, n, KernelArgs.of().i64(n).i64(seed).i64(stream)
                    .i32(adapter).f64(probability).ptr(dmask.at()));
            dmask.download(context, n, mask, 0);
        }
    }

    /** out[i] = kept ? x[i]·rescale : 0 with the same keep decisions as {@link #dareMask}; out may be x. */
    public void dareApply(long n, long seed, long stream, int adapter, double probability, float rescale,
                          MemorySegment x, MemorySegment out) {
        if (n <= 0) return;
        try (CudaContext.Scope scope = context.enter();
             Staged dx = Staged.upload(context, x, 0, n);
             Staged dout = Staged.allocate(context, n)) {
            context.launch1d(CudaKernels.DARE_APPLY, n, KernelArgs.of().i64(n).i64(seed).i64(stream).i32(adapter)
                    .f64(probability).f32(rescale).ptr(dx.at()).ptr(dout.at()));
            dout.download(context, n, out, 0);
        }
    }

    private Staged uploadWeights(float[] weights) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocateFrom(ValueLayout.JAVA_FLOAT, weights);
            // A copy from pageable memory returns once the driver has staged the data: the arena may close.
            return Staged.upload(context, host, 0, weights.length);
        }
    }

    private static void checkWeights(int count, float[] weights) {
        if (count < 1) throw new IllegalArgumentException("need at least one tensor to merge, got " + count);
        if (weights.length != count) {
            throw new IllegalArgumentException(count + " tensors but " + weights.length + " weights");
        }
    }
}
