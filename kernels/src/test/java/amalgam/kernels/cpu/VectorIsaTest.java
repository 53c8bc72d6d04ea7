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
    void avx2GetsTwelveAccumulatorsThatFitSixteenRegisters() {
        VectorIsa avx2 = VectorIsa.detect(256, "amd64", null);
        assertEquals("AVX2", avx2.name());
        assertEquals(16, avx2.registers());
        assertEquals(2, avx2.tileVectors());
        assertEquals(16, avx2.tileColumns());
        assertTrue(liveRegisters(avx2) <= 16, avx2.describe());
    }

    @Test
    void avx512GetsTwentyFourAccumulatorsThatFitThirtyTwoRegisters() {
        VectorIsa avx512 = VectorIsa.detect(512, "amd64", null);
        assertEquals("AVX-512", avx512.name());
        assertEquals(4, avx512.tileVectors());
        assertEquals(64, avx512.tileColumns());
        assertEquals(29, liveRegisters(avx512));
        assertEquals("AVX-512: 512-bit vectors (16 floats), 32 registers; GEMM micro-kernel 6×64 (6×4 vectors, "
                + "24 accumulators; 29 of 32 registers live)", avx512.describe());
    }

    @Test
    void oneHundredTwentyEightBitVectorsKeepASmallTile() {
        VectorIsa sse = VectorIsa.detect(128, "amd64", null);
        assertEquals(2, sse.tileVectors());
        assertEquals(8, sse.tileColumns());
        VectorIsa neon = VectorIsa.detect(128, "aarch64", null);
        assertEquals("NEON", neon.name());
        assertEquals(32, neon.registers());
        assertEquals(4, neon.tileVectors());
    }

    @Test
    void theTileCanBeForcedForBenchmarksButOnlyToAKnownShape() {
        VectorIsa forced = VectorIsa.detect(512, "amd64", "6x2");
        assertEquals(2, forced.tileVectors());
        assertEquals("forced by -Damalgam.cpu.tile=6x2", forced.tileReason());
        assertThrows(IllegalArgumentException.class, () -> VectorIsa.detect(512, "amd64", "8x3"));
    }

    @Test
    void theMicroKernelFollowsThisJvmsChoice() {
        VectorIsa current = VectorIsa.CURRENT;
        assertEquals(current.lanes(), MicroKernel.LANES);
        assertEquals(current.tileColumns(), MicroKernel.NR);
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

    private static int liveRegisters(VectorIsa isa) {
        return isa.tileRows() * isa.tileVectors() + isa.tileVectors() + 1;
    }
}
