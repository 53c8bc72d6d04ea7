package amalgam.kernels.cpu;

import amalgam.kernels.MergeSweeps;
import amalgam.kernels.MergeSweepsConformanceTest;
import amalgam.kernels.WorkerPool;
import amalgam.kernels.scalar.ScalarGemm;
import org.junit.jupiter.api.AfterAll;

/**
 * {@link VectorMergeSweeps}, through {@link CpuBackend} on two threads, against the reference. One thread
 * would add nothing: the chunks and the code per chunk are the same whatever the number of threads.
 */
class VectorMergeSweepsTest extends MergeSweepsConformanceTest {

    private static final WorkerPool TWO = WorkerPool.of(2);
    private static final CpuBackend BACKEND = new CpuBackend(TWO, new ScalarGemm());

    @AfterAll
    static void closePool() {
        TWO.close();
    }

    @Override
    protected MergeSweeps sweeps() {
        return BACKEND;
    }
}
