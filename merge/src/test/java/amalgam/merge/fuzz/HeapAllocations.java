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

    /**
     * What {@code call} allocates once warm: a first run pays for class loading and call-site linking on the
     * input's path, and of two measured runs the smaller counts, because the JVM's one-off work (a method handle
     * compiled after so many calls, say) only ever adds and rarely strikes twice in a row. What a parser itself
     * allocates is the same every run.
     */
    static long steadyState(Runnable call) {
        call.run();
        long first = measure(call);
        return Math.min(first, measure(call));
    }

    private static long measure(Runnable call) {
        long before = currentThread();
        call.run();
        return currentThread() - before;
    }
}
