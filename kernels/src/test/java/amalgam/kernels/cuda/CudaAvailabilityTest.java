package amalgam.kernels.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** The probe must answer on every machine, with or without a driver, and never throw. */
class CudaAvailabilityTest {

    @Test
    void answersWithoutThrowingAndConsistently() {
        boolean available = CudaContext.isAvailable();
        assertEquals(available, CudaContext.isAvailable());
        String reason = CudaContext.unavailableReason();
        assertFalse(reason.isBlank());
        assertFalse(reason.contains("\n"), "the reason should be one line for the user: " + reason);
        assertEquals(available, reason.equals("CUDA is available"), reason);
    }

    @Test
    void sharedContextRefusesWithTheReasonWhereThereIsNoGpu() {
        assumeFalse(CudaContext.isAvailable(), "this machine has a usable GPU");
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, CudaContext::shared);
        assertEquals(CudaContext.unavailableReason(), e.getMessage());
        assertTrue(e.getMessage().startsWith("CUDA is unavailable: "), e.getMessage());
    }
}
