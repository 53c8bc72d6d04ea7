package amalgam.kernels.cpu;

import amalgam.kernels.Backend;
import amalgam.kernels.BackendConformanceTest;
import amalgam.kernels.WorkerPool;
import amalgam.kernels.scalar.ScalarGemm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link CpuBackend} against the reference, on one thread and on two (the parallel paths). */
class CpuBackendTest {

    private static final WorkerPool ONE = WorkerPool.of(1);
    private static final WorkerPool TWO = WorkerPool.of(2);

    @AfterAll
    static void closePools() {
        ONE.close();
        TWO.close();
    }

    @Nested
    class OneThread extends BackendConformanceTest {
        private final CpuBackend backend = new CpuBackend(ONE, new ScalarGemm());

        @Override
        protected Backend backend() {
            return backend;
        }

        @Test
        void reportsItsThreads() {
            assertEquals(1, backend.threads());
        }
    }

    @Nested
    class TwoThreads extends BackendConformanceTest {
        private final CpuBackend backend = new CpuBackend(TWO, new ScalarGemm());

        @Override
        protected Backend backend() {
            return backend;
        }

        @Test
        void reportsItsThreads() {
            assertEquals(2, backend.threads());
        }
    }
}
