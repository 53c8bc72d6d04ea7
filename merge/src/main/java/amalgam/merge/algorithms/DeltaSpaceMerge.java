package amalgam.merge.algorithms;

import amalgam.kernels.FloatSegments;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The default space: merge the updates ΔW_i = s_i B_i A_i themselves, then refactor the result into a LoRA of
 * rank R. A linear merge is itself low-rank and is refactored exactly ({@link #svd}); any other merge produces a
 * dense ΔW that goes through a randomized (or, when small, exact) truncated SVD ({@link #dense}).
 */
public final class DeltaSpaceMerge {

    /** {@code -Damalgam.timing=true} prints each module's phase times to stderr: how the speed work is profiled. */
    private static final boolean TIMING = Boolean.getBoolean("amalgam.timing");

    /**
     * Dense deltas of all adapters beyond this size are not held at once: a module's merge then makes each delta
     * twice, one at a time ({@link GeneralizedTaskArithmetic#mergeStreaming}), in about 9 deltas' memory instead
     * of n (1,000 adapters of a 4096 × 4096 module would need 64 GB).
     */
    static final long DEFAULT_DENSE_BUDGET_BYTES = 1L << 30;

    private final ComputeContext ctx;
    private final RandomizedSvd svd;
    private final long denseBudgetBytes;
    private final List<MemorySegment> buffers = new ArrayList<>();

    public DeltaSpaceMerge(ComputeContext ctx, RandomizedSvd svd) {
        this(ctx, svd, DEFAULT_DENSE_BUDGET_BYTES);
    }

    DeltaSpaceMerge(ComputeContext ctx, RandomizedSvd svd, long denseBudgetBytes) {
        this.ctx = ctx;
        this.svd = svd;
        this.denseBudgetBytes = denseBudgetBytes;
    }

    /**
     * Best rank-R approximation of Σ w_i s_i B_i A_i, from the stacked factors [w_i s_i B_i] and [A_i]
     * without forming the dense sum: exact when R ≥ Σ r_i.
     */
    public static LowRankUpdate svd(List<LowRankUpdate> updates, double[] weights, int rank, Arena arena) {
        Weights.check(updates, weights);
        int total = updates.stream().mapToInt(LowRankUpdate::rank).sum();
        ColumnMajorMatrix left = ColumnMajorMatrix.zeros(updates.getFirst().outFeatures(), total);
        ColumnMajorMatrix right = ColumnMajorMatrix.zeros(updates.getFirst().inFeatures(), total);
        int first = 0;
        for (int i = 0; i < updates.size(); i++) {
            LowRankUpdate u = updates.get(i);
            ColumnMajorMatrix.copyInto(u.b(), weights[i] * u.scale(), false, left, first);
            ColumnMajorMatrix.copyInto(u.a(), 1, true, right, first);
            first += u.rank();
        }
        return FactoredSvd.truncate(left, right, rank, arena);
    }

    /**
     * Materialises each s_i B_i A_i (scale folded here, weights left to the merge), merges them with
     * {@code merge}, and returns the rank-R truncated SVD of the merged ΔW. {@code stream} seeds the merge's
     * random masks (pass the module index).
     *
     * <p>The deltas live in buffers kept from one module to the next (module after module of one model have
     * few distinct shapes), are sparsified where they lie, and the merged ΔW overwrites the first: one module
     * costs n dense deltas of memory and no page-faulting of fresh ones. So one instance merges one module at
     * a time.
     */
    public LowRankUpdate dense(List<LowRankUpdate> updates, double[] weights, TensorMerge merge, int rank,
                               long stream, Arena arena) {
        return truncate(mergedDelta(updates, weights, merge, stream), rank, arena);
    }

    /**
     * The first half of {@link #dense}: the merged dense ΔW, in a buffer this instance reuses, so it is valid
     * until the next call. Callers that measure what the truncation keeps read it before {@link #truncate}.
     */
    public DenseMatrix mergedDelta(List<LowRankUpdate> updates, double[] weights, TensorMerge merge, long stream) {
        Weights.check(updates, weights);
        int out = updates.getFirst().outFeatures(), in = updates.getFirst().inFeatures();
        long bytes = (long) out * in * Float.BYTES;
        if (merge instanceof GeneralizedTaskArithmetic streamable && updates.size() * (double) bytes > denseBudgetBytes) {
            DenseMatrix merged = new DenseMatrix(out, in, deltaBuffer(0, (long) out * in));
            MemorySegment scratch = deltaBuffer(1, (long) out * in);
            streamable.mergeStreaming(out, in, updates.size(), (i, target) ->
                    updates.get(i).deltaInto(ctx.backend(), new DenseMatrix(out, in, target), 1), weights, stream,
                    scratch, merged.data());
            return merged;
        }
        long start = System.nanoTime();
        growBuffers(updates.size(), (long) out * in);
        List<MemorySegment> deltas = new ArrayList<>(updates.size());
        for (int i = 0; i < updates.size(); i++) {
            DenseMatrix delta = new DenseMatrix(out, in, deltaBuffer(i, (long) out * in));
            updates.get(i).deltaInto(ctx.backend(), delta, 1);
            deltas.add(delta.data());
        }
        long materialised = System.nanoTime();
        MemorySegment merged = deltas.getFirst();
        merge.mergeOverwriting(out, in, deltas, weights, stream, merged);
        if (TIMING) {
            System.err.printf("timing: %d×%d deltas %.0f ms, merge %.0f ms%n", out, in,
                    (materialised - start) / 1e6, (System.nanoTime() - materialised) / 1e6);
        }
        return new DenseMatrix(out, in, merged);
    }

    /** The second half of {@link #dense}: the rank-R truncated SVD of a merged ΔW. */
    public LowRankUpdate truncate(DenseMatrix merged, int rank, Arena arena) {
        long start = System.nanoTime();
        LowRankUpdate result = svd.truncate(merged, rank, arena);
        if (TIMING) {
            System.err.printf("timing: svd %.0f ms, %d Krylov iterations%n", (System.nanoTime() - start) / 1e6,
                    svd.lastIterations());
        }
        return result;
    }

    /** Bytes held by the reusable delta buffers: what a module's deltas cost beyond the SVD. */
    long bufferBytes() {
        return buffers.stream().mapToLong(MemorySegment::byteSize).sum();
    }

    /**
     * Grows the first {@code count} buffers to n floats at once, on all the pool's threads: a fresh buffer is
     * zero-filled as it is allocated, which for the first module is mostly page faults (eight 5504 × 2048 deltas
     * are 360 MB, 140–165 ms on one thread), and those split between the threads.
     */
    private void growBuffers(int count, long n) {
        while (buffers.size() < count) buffers.add(MemorySegment.NULL);
        MemorySegment[] grown = new MemorySegment[count];
        ctx.pool().parallelFor(count, i -> {
            if (FloatSegments.length(buffers.get(i)) < n) grown[i] = FloatSegments.allocate(Arena.ofAuto(), n);
        });
        for (int i = 0; i < count; i++) {
            if (grown[i] != null) buffers.set(i, grown[i]);
        }
    }

    /** The i-th reusable delta buffer, sliced to n floats; grown (never shrunk) when a module needs more. */
    private MemorySegment deltaBuffer(int i, long n) {
        while (buffers.size() <= i) buffers.add(MemorySegment.NULL);
        if (FloatSegments.length(buffers.get(i)) < n) {
            // An automatic arena: a grown-out buffer is freed by the collector, the rest when this merge is.
            buffers.set(i, FloatSegments.allocate(Arena.ofAuto(), n));
        }
        return buffers.get(i).asSlice(0, n * Float.BYTES);
    }
}
