package amalgam.kernels.cpu;

import amalgam.kernels.WorkerPool;

import java.lang.foreign.MemorySegment;
import java.util.function.IntConsumer;

/**
 * One GEMM cut into independent blocks of C, one per pool index: along M (each part gets its
 * own rows of A and C, all of B) or along N (its own columns of B and C, all of A). Cutting the larger side
 * keeps the operand every part reads the small one, and that shared operand is packed once, by all threads
 * together, before the parts start ({@link #run}). Below {@value #MIN_SHARED_FLOATS} floats (a LoRA factor, a
 * TinyViT weight) packing it again per part costs less than the second parallel loop, and above
 * {@value #MAX_SHARED_FLOATS} the buffer is not worth holding: there each part packs it for itself. The object
 * is reused call after call by the thread that owns it, so submitting a parallel GEMM allocates no capturing
 * lambda.
 */
final class SplitGemmTask implements IntConsumer {

    static final int PARTS_PER_THREAD = 4;
    static final int MIN_PART_EXTENT = 128;
    /** 16 MiB: a shared operand beyond this is packed part by part, block by block, as a lone thread does. */
    static final int MAX_SHARED_FLOATS = 1 << 22;
    /** 128 KiB: a shared operand below this is packed by each part, saving the packing loop's hand-off. */
    static final int MIN_SHARED_FLOATS = 1 << 15;
    private static final ThreadLocal<SplitGemmTask> PER_THREAD = ThreadLocal.withInitial(SplitGemmTask::new);

    private final GemmCall call = new GemmCall();
    private final IntConsumer packShared = this::packSharedSlivers;
    private boolean splitRows;
    private int parts, units, unit;
    /** The operand all parts read (B when splitting rows, A when splitting columns), packed whole; or null. */
    private float[] shared;
    private float[] sharedBuffer = new float[0];
    private int packParts, sharedSlivers;

    static SplitGemmTask forThisThread() {
        return PER_THREAD.get();
    }

    /** Prepares the split and, when it fits, the shared operand's buffer; {@link #run} then does the work. */
    void prepare(boolean transA, boolean transB, int m, int n, int k, float alpha,
                MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                float beta, MemorySegment c, long cOff, int ldc, int threads) {
        call.set(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        this.splitRows = m >= n;
        // Parts are whole micro-tiles so no tile straddles two threads.
        this.unit = splitRows ? MicroKernel.MR : MicroKernel.NR;
        this.units = ((splitRows ? m : n) + unit - 1) / unit;
        // Up to a few parts per thread: the pool hands them out one at a time, so a thread that loses its core
        // to another process leaves its share to the others instead of holding the whole call up. But every
        // part re-packs the operand it shares, so a part is kept at least MIN_PART_EXTENT rows or columns.
        int extent = splitRows ? m : n;
        int wanted = Math.max(threads, Math.min(PARTS_PER_THREAD * threads, extent / MIN_PART_EXTENT));
        this.parts = Math.min(wanted, units);
        long sharedFloats = splitRows ? BlockedGemm.wholeSizeB(n, k) : BlockedGemm.wholeSizeA(m, k);
        if (sharedFloats >= MIN_SHARED_FLOATS && sharedFloats <= MAX_SHARED_FLOATS) {
            if (sharedBuffer.length < sharedFloats) sharedBuffer = new float[(int) sharedFloats];
            shared = sharedBuffer;
            int sliverWidth = splitRows ? MicroKernel.NR : MicroKernel.MR;
            sharedSlivers = ((splitRows ? n : m) + sliverWidth - 1) / sliverWidth;
            packParts = Math.min(threads, sharedSlivers);
        } else {
            shared = null;
        }
    }

    /** Packs the shared operand on every thread, then runs the parts: two parallel loops. */
    void run(WorkerPool pool) {
        if (shared != null) pool.parallelFor(packParts, packShared);
        pool.parallelFor(parts, this);
    }

    /** Pool index {@code part} of the packing loop: its contiguous run of slivers of the shared operand. */
    private void packSharedSlivers(int part) {
        GemmCall g = call;
        int from = (int) ((long) sharedSlivers * part / packParts);
        int to = (int) ((long) sharedSlivers * (part + 1) / packParts);
        if (splitRows) {
            // One sliver at a time: a whole packed B is laid out by NC block, and a sliver never crosses one.
            for (int s = from; s < to; s++) {
                int j0 = s * MicroKernel.NR;
                BlockedGemm.packWholeB(g.transB, g.b, g.bOff, g.ldb, g.n, g.k, j0, Math.min(MicroKernel.NR, g.n - j0),
                        shared);
            }
        } else if (from < to) {
            int i0 = from * MicroKernel.MR;
            BlockedGemm.packWholeA(g.transA, g.a, g.aOff, g.lda, g.m, g.k, i0, Math.min(to * MicroKernel.MR, g.m) - i0,
                    shared);
        }
    }

    /** Drops the references to the caller's segments once the call is over. */
    void release() {
        call.release();
        shared = null;
    }

    @Override
    public void accept(int part) {
        GemmCall g = call;
        int extent = splitRows ? g.m : g.n;
        int from = (int) ((long) units * part / parts) * unit;
        int to = Math.min(extent, (int) ((long) units * (part + 1) / parts) * unit);
        if (from >= to) return;
        int size = to - from;
        if (splitRows) {
            long aShift = g.transA ? from : (long) from * g.lda;
            BlockedGemm.multiply(g.transA, g.transB, size, g.n, g.k, g.alpha, g.a, g.aOff + aShift, g.lda,
                    g.b, g.bOff, g.ldb, g.beta, g.c, g.cOff + (long) from * g.ldc, g.ldc, null, shared);
        } else {
            long bShift = g.transB ? (long) from * g.ldb : from;
            BlockedGemm.multiply(g.transA, g.transB, g.m, size, g.k, g.alpha, g.a, g.aOff, g.lda,
                    g.b, g.bOff + bShift, g.ldb, g.beta, g.c, g.cOff + from, g.ldc, shared, null);
        }
    }
}
