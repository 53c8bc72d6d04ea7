package amalgam.kernels.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The start-up choice of register tile for each ISA, including the ones this machine is not, and a check that a
 * JVM started for a given path got it: the surefire runs with -XX:UseAVX=2 and -XX:MaxVectorSize=16 (see
 * kernels/pom.xml) set {@value #EXPECTED_BITS}, so a flag that stopped working cannot pass as the AVX-512 run.
 */
class VectorIsaTest {

    static final String EXPECTED_BITS = "amalgam.test.expectVectorBits";

    @Test
    void avx2GetsEightAccumulatorsThatLeaveC2RoomInSixteenRegisters() {
        VectorIsa avx2 = VectorIsa.detect(256, "amd64", null);
        assertEquals("AVX2", avx2.name());
        assertEquals(16, avx2.registers());
        assertEquals(4, avx2.tileRows());
        assertEquals(16, avx2.tileColumns());
        assertEquals(11, avx2.liveRegisters());
        assertTrue(avx2.tileRows() * VectorIsa.TILE_VECTORS >= MachinePeak.FMA_UNITS * MachinePeak.FMA_LATENCY_CYCLES,
                "enough accumulators to keep both FMA pipes busy");
    }

    @Test
    void avx512GetsTwelveAccumulators() {
        VectorIsa avx512 = VectorIsa.detect(512, "amd64", null);
        assertEquals("AVX-512", avx512.name());
        assertEquals(6, avx512.tileRows());
        assertEquals(32, avx512.tileColumns());
        assertEquals("AVX-512: 512-bit vectors (16 floats), 32 registers; GEMM micro-kernel 6x32 (6x2 vectors, "
                + "12 accumulators; 15 of 32 registers live)", avx512.describe());
    }

    @Test
    void oneHundredTwentyEightBitVectorsFollowTheirRegisterFile() {
        VectorIsa x86 = VectorIsa.detect(128, "amd64", null);
        assertEquals(4, x86.tileRows());
        assertEquals(8, x86.tileColumns());
        VectorIsa neon = VectorIsa.detect(128, "aarch64", null);
        assertEquals("NEON", neon.name());
        assertEquals(32, neon.registers());
        assertEquals(6, neon.tileRows());
    }

    @Test
    void theTileCanBeForcedForBenchmarksButOnlyToAKnownShape() {
        VectorIsa forced = VectorIsa.detect(512, "amd64", "4x2");
        assertEquals(4, forced.tileRows());
        assertEquals("forced by -Damalgam.cpu.tile=4x2", forced.tileReason());
        assertThrows(IllegalArgumentException.class, () -> VectorIsa.detect(512, "amd64", "6x4"));
    }

    @Test
    void theGemmFollowsThisJvmsChoice() {
        VectorIsa current = VectorIsa.CURRENT;
        assertEquals(current.lanes(), MicroKernel.LANES);
        assertEquals(current.tileRows(), MicroKernel.MR);
        assertEquals(current.tileColumns(), MicroKernel.NR);
        assertEquals(0, BlockedGemm.MC % MicroKernel.MR, "A's blocks hold whole slivers");
    }

    @Test
    void thisJvmRunsThePathItWasStartedFor() {
        String expected = System.getProperty(EXPECTED_BITS);
        assumeTrue(expected != null, "no -D" + EXPECTED_BITS + ": the default run takes whatever the CPU has ("
                + VectorIsa.CURRENT.describe() + ")");
        String arch = System.getProperty("os.arch");
        assumeTrue(arch.equals("amd64") || arch.equals("x86_64"), "the vector-length flags are x86's; this is " + arch);
        assertEquals(Integer.parseInt(expected), VectorIsa.CURRENT.vectorBits(), VectorIsa.CURRENT.describe());
    }
}
