package amalgam.engine;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StepTest {

    @Test
    void tensorsOfAClosedStepCannotBeRead() {
        Tensor inside;
        try (Step step = Engine.step()) {
            inside = Tensor.ones(DType.F32, 3);
            assertEquals(3, inside.sum().item());
        }
        assertThrows(IllegalStateException.class, inside::toDoubleArray);
    }

    @Test
    void leafGradientsLiveBesideTheLeafNotInTheStep() {
        Tensor w = Tensor.ones(DType.F32, 2).requiresGrad(true);
        for (int i = 0; i < 3; i++) {
            try (Step step = Engine.step()) {
                w.mul(Tensor.of(new float[] {2, 3}, 2)).sum().backward();
            }
        }
        assertArrayEquals(new double[] {6, 9}, w.grad().toDoubleArray());
    }

    @Test
    void stepsNestAndMustCloseInnermostFirst() {
        try (Step outer = Engine.step()) {
            Tensor a = Tensor.full(DType.F32, 2, 4);
            try (Step inner = Engine.step()) {
                Tensor b = Tensor.full(DType.F32, 5, 4);
                assertThrows(IllegalStateException.class, outer::close);
                assertEquals(28, a.add(b).sum().item());
            }
            Tensor c = Tensor.full(DType.F32, 1, 4); // reuses the inner step's memory; a must be untouched
            assertEquals(12, a.add(c).sum().item());
        }
    }

    @Test
    void largeTensorsAndManyStepsWork() {
        Random random = new Random(5);
        Tensor w = Tensor.randn(DType.F32, random, 64, 64).requiresGrad(true);
        for (int i = 0; i < 10; i++) {
            try (Step step = Engine.step()) {
                Tensor big = Tensor.ones(DType.F32, 3_000_000); // bigger than a chunk
                Tensor x = Tensor.randn(DType.F32, random, 8, 64);
                x.matmul(w).tanh().sum().add(big.sum().mul(0)).backward();
            }
        }
        assertEquals(64 * 64, w.grad().numel());
    }

    @Test
    void wrapUsesTheCallersMemoryWithoutCopying() {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment segment = amalgam.kernels.FloatSegments.of(arena, 1, 2, 3, 4, 5, 6);
            Tensor t = Tensor.wrap(DType.F32, segment, 2, 3);
            assertEquals(21, t.sum().item());
            amalgam.kernels.FloatSegments.set(segment, 0, 10);
            assertEquals(10, t.get(0, 0));
            assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(DType.F64, segment, 2, 3));
        }
    }
}
