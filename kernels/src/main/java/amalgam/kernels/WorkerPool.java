package amalgam.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A fixed set of worker threads for data-parallel loops, built for latency: a training step issues thousands
 * of small parallel loops, so a loop must start in microseconds. The calling thread takes part in every loop;
 * idle workers spin briefly for the next loop before they park.
 *
 * <p>Loops do not nest: a body that calls {@link #parallelFor} runs that inner loop on its own thread alone.
 * One loop runs at a time; concurrent callers are serialised.
 */
public final class WorkerPool implements AutoCloseable {

    private static final int SPIN_ITERATIONS = 50_000;
    private static final ThreadLocal<Boolean> INSIDE_LOOP = ThreadLocal.withInitial(() -> false);

    private final int threads;
    private final Thread[] workers;
    private final Object submitLock = new Object();

    // The loop now offered to workers; a new object for each parallelFor call.
    private volatile Loop current;
    private volatile boolean closed;

    /** One parallelFor call: indices are taken from {@code next}; {@code active} counts threads inside. */
    private static final class Loop {
        final IntConsumer body;
        final int count;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger active = new AtomicInteger();
        volatile Throwable failure;

        Loop(IntConsumer body, int count) {
            this.body = body;
            this.count = count;
        }

        void work() {
            try {
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    body.accept(i);
                }
            } catch (Throwable t) {
                failure = t;
                next.set(count); // the others stop taking new indices
            }
        }
    }

    private WorkerPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            Thread t = new Thread(this::runWorker, "amalgam-worker-" + (i + 1));
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    /** A pool of {@code threads} threads in all, the caller included. */
    public static WorkerPool of(int threads) {
        return new WorkerPool(threads);
    }

    /** Number of cores the JVM may use: the default thread count. */
    public static int availableCores() {
        return Runtime.getRuntime().availableProcessors();
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body.accept(i)} for every i in [0, count), spread over the pool, and returns when all are
     * done. Indices are handed out one at a time, so uneven tasks balance. A failure in a task is rethrown.
     */
    public void parallelFor(int count, IntConsumer body) {
        if (count <= 0) return;
        if (count == 1 || workers.length == 0 || closed || INSIDE_LOOP.get()) {
            for (int i = 0; i < count; i++) body.accept(i);
            return;
        }
        Loop loop = new Loop(body, count);
        synchronized (submitLock) {
            INSIDE_LOOP.set(true);
            try {
                current = loop;
                for (Thread w : workers) LockSupport.unpark(w);
                loop.work();
                // A worker counts itself active before it takes an index, so once every index is taken and
                // no worker is active, every task has finished and its writes are visible here.
                while (loop.active.get() > 0) Thread.onSpinWait();
            } finally {
                INSIDE_LOOP.set(false);
            }
        }
        Throwable failure = loop.failure;
        if (failure instanceof RuntimeException re) throw re;
        if (failure instanceof Error e) throw e;
        if (failure != null) throw new RuntimeException(failure);
    }

    private void runWorker() {
        INSIDE_LOOP.set(true);
        Loop seen = null;
        while (true) {
            Loop loop;
            int spins = 0;
            while ((loop = current) == seen) {
                if (closed) return;
                if (++spins < SPIN_ITERATIONS) Thread.onSpinWait();
                else LockSupport.park(this);
            }
            seen = loop;
            loop.active.incrementAndGet();
            loop.work();
            loop.active.decrementAndGet();
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) LockSupport.unpark(w);
    }
}
