package amalgam.kernels.cuda;

import amalgam.kernels.MergeSweeps;
import amalgam.kernels.MergeSweepsConformanceTest;
import amalgam.kernels.WorkerPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * {@link CudaBackend}'s merge sweeps (computed on the host for now) against the reference. Skipped, with the
 * reason, where there is no usable GPU, as every CUDA test is: the backend cannot be created there.
 */
class CudaMergeSweepsTest extends MergeSweepsConformanceTest {

    private static final WorkerPool TWO = WorkerPool.of(2);

    private CudaBackend cuda;

    @AfterAll
    static void closePool() {
        TWO.close();
    }

    @BeforeEach
    void requireGpu() {
        cuda = new CudaBackend(CudaTestSupport.assumeCuda(), TWO);
    }

    @Override
    protected MergeSweeps sweeps() {
        return cuda;
    }
}
