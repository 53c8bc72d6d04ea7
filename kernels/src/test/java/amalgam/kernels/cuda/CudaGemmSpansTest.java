package amalgam.kernels.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How much of each host operand CudaGemm copies (no GPU needed). */
class CudaGemmSpansTest {

    @Test
    void aMatrixSpansFromItsFirstToItsLastElement() {
        assertEquals(0, CudaGemm.matrixSpan(0, 5, 7));
        assertEquals(0, CudaGemm.matrixSpan(5, 0, 7));
        assertEquals(5, CudaGemm.matrixSpan(1, 5, 7));
        assertEquals(2 * 7 + 5, CudaGemm.matrixSpan(3, 5, 7)); // the padding after the last row is not copied
    }

    @Test
    void aBatchSpansToTheLastMatrixAndAZeroStrideToOne() {
        assertEquals(2 * 100 + 19, CudaGemm.batchSpan(19, 100, 3));
        assertEquals(19, CudaGemm.batchSpan(19, 0, 3));
        assertEquals(0, CudaGemm.batchSpan(0, 100, 3));
    }
}
