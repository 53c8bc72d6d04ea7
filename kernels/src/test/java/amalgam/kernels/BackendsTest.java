package amalgam.kernels;

import amalgam.kernels.cpu.CpuBackend;
import amalgam.kernels.ffm.NativeBackend;
import amalgam.kernels.ffm.NativeLibrary;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Names to backends: "auto" picks the ahead-of-time compiled kernels where they load, the Java ones elsewhere. */
class BackendsTest {

    @Test
    void autoIsNativeExactlyWhereTheLibraryLoads() {
        String expected = NativeLibrary.isAvailable() ? "native" : "cpu";
        assertEquals(expected, Backends.resolve(Backends.AUTO));
        assertEquals(expected, Backends.resolve(" AUTO "));
        try (WorkerPool pool = WorkerPool.of(1)) {
            Backend auto = Backends.create("auto", pool);
            Class<? extends Backend> expectedClass = NativeLibrary.isAvailable() ? NativeBackend.class : CpuBackend.class;
            assertEquals(expectedClass, auto.getClass());
        }
    }

    @Test
    void otherNamesAreOnlyNormalised() {
        for (String name : Backends.NAMES) assertEquals(name, Backends.resolve(" " + name.toUpperCase() + " "));
    }

    @Test
    void unknownNamesListEveryChoiceIncludingAuto() {
        try (WorkerPool pool = WorkerPool.of(1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.create("gpu", pool));
            assertTrue(e.getMessage().contains("'gpu'"), e.getMessage());
            for (String name : Backends.NAMES) assertTrue(e.getMessage().contains(name), e.getMessage());
            assertTrue(e.getMessage().contains("auto"), e.getMessage());
        }
    }
}
