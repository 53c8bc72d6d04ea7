package amalgam.engine;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;

/**
 * A memory scope for one unit of work (a training step, an evaluation batch): every tensor created while it
 * is open takes its storage from here, and all of it is released at once when the step closes. Storage is
 * bump-allocated from pooled chunks that the next step reuses, so a training loop's memory stays flat and an
 * op costs no malloc. Steps nest; close them in the reverse order of opening (try-with-resources does).
 *
 * <p>Tensors that must outlive the step (parameters, optimiser state) are created outside any step; their
 * gradients are allocated beside them, not here. Using a tensor after its step closed is an error.
 */
public final class Step implements AutoCloseable {

    private static final long ALIGNMENT = 64;

    private final Context context;
    private final Step parent;
    private final ArrayList<MemorySegment> chunks = new ArrayList<>(4);
    private final ArrayList<MemorySegment> blocks = new ArrayList<>(); // allocations bigger than a chunk, pooled too
    private MemorySegment chunk;
    private long used;
    private boolean closed;

    Step(Context context) {
        this.context = context;
        this.parent = context.step;
        context.step = this;
    }

    boolean isClosed() {
        return closed;
    }

    /** {@code bytes} of uninitialised, 64-byte-aligned memory valid until this step closes. */
    MemorySegment allocate(long bytes) {
        if (closed) throw new IllegalStateException("allocation in a closed step");
        long size = Math.max(ALIGNMENT, (bytes + ALIGNMENT - 1) & -ALIGNMENT);
        if (size > Context.CHUNK_BYTES) {
            MemorySegment block = context.takeBlock(size);
            blocks.add(block);
            return block.asSlice(0, bytes);
        }
        if (chunk == null || used + size > chunk.byteSize()) {
            chunk = context.takeChunk();
            chunks.add(chunk);
            used = 0;
        }
        MemorySegment slice = chunk.asSlice(used, bytes);
        used += size;
        return slice;
    }

    @Override
    public void close() {
        if (closed) return;
        if (context.step != this) {
            throw new IllegalStateException("steps must close innermost first; an inner step is still open");
        }
        closed = true;
        context.step = parent;
        for (MemorySegment c : chunks) context.returnChunk(c);
        chunks.clear();
        chunk = null;
        for (MemorySegment b : blocks) context.returnBlock(b);
        blocks.clear();
    }
}
