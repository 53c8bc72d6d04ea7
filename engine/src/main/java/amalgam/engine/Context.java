package amalgam.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;

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
    long chunkBytes; // all chunks this thread's steps have ever taken: flat once training settles

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
}
