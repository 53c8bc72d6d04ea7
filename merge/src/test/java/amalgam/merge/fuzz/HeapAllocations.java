package amalgam.merge.fuzz;

import java.lang.management.ManagementFactory;

/**
 * Heap bytes allocated by the current thread, from HotSpot's per-thread counter. The counter includes garbage,
 * so it bounds everything a call allocates, not only what it keeps.
 */
final class HeapAllocations {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private HeapAllocations() {}

    /** Whether this JVM can measure; the fuzz targets check the heap bound only where it can. */
    static boolean supported() {
        return THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled();
    }

    /** Bytes the current thread has allocated since it started; subtract two readings to measure a call. */
    static long currentThread() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }
}
