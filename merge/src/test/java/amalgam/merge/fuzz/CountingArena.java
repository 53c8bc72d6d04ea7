package amalgam.merge.fuzz;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A confined arena that adds up what is allocated from it, so that a test can bound the off-heap memory a reader
 * takes: the reader allocates its fp32 output from the arena its caller passes, and this is that arena. Used by
 * the fuzz targets and by the block-reading tests.
 */
public final class CountingArena implements Arena {

    private final Arena delegate = Arena.ofConfined();
    private long allocatedBytes;

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        MemorySegment segment = delegate.allocate(byteSize, byteAlignment);
        allocatedBytes += byteSize;
        return segment;
    }

    /** Sum of the sizes requested so far (alignment padding is the JDK's and a few bytes at most). */
    public long allocatedBytes() {
        return allocatedBytes;
    }

    @Override
    public MemorySegment.Scope scope() {
        return delegate.scope();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
