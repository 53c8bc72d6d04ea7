package amalgam.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-thread engine state: whether gradients are recorded, the innermost open {@link Step}, and the pool of
 * memory chunks steps reuse. One thread-local lookup per op; everything else is plain fields.
 */
final class Context {

    /** Size of a pooled step chunk: large enough that a TinyViT step needs only a handful. */
    static final long CHUNK_BYTES = 8L << 20;

    private static final ThreadLocal<Context> CURRENT = ThreadLocal.withInitial(Context::new);

    boolean gradEnabled = true;
    Step step;
    private final ArrayDeque<MemorySegment> freeChunks = new ArrayDeque<>();
    private final List<MemorySegment> freeBlocks = new ArrayList<>(); // larger than a chunk, by no order
    long chunkBytes; // all chunks and blocks this thread's steps have ever taken: flat once training settles

    static Context current() {
        return CURRENT.get();
    }

    /** A chunk for a step, reused from earlier steps when one is free so that memory stays flat. */
    MemorySegment takeChunk() {
        MemorySegment chunk = freeChunks.pollFirst();
        // Arena.ofAuto: a pooled chunk lives as long as the pool references it; shared so workers can read it.
        if (chunk != null) return chunk;
        chunkBytes += CHUNK_BYTES;
        return Arena.ofAuto().allocate(CHUNK_BYTES, 64);
    }

    void returnChunk(MemorySegment chunk) {
        freeChunks.addFirst(chunk);
    }

    /**
     * A block of at least {@code bytes} for one allocation larger than a chunk (a language model's logits):
     * the smallest free one that is not more than twice as large, else a new one. Reusing them keeps a training
     * loop from allocating and zero-filling hundreds of megabytes every step, and its memory flat.
     */
    MemorySegment takeBlock(long bytes) {
        MemorySegment best = null;
        for (MemorySegment b : freeBlocks) {
            if (b.byteSize() >= bytes && b.byteSize() <= 2 * bytes && (best == null || b.byteSize() < best.byteSize())) {
                best = b;
            }
        }
        if (best != null) {
            freeBlocks.remove(best);
            return best;
        }
        chunkBytes += bytes;
        return Arena.ofAuto().allocate(bytes, 64);
    }

    void returnBlock(MemorySegment block) {
        freeBlocks.add(block);
    }
}
