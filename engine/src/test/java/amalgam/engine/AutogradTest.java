package amalgam.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AutogradTest {

    private static Tensor leaf(double... values) {
        return Tensor.of(DType.F64, values, values.length).requiresGrad(true);
    }

    @Test
    void handCheckedGradientOfAProduct() {
        Tensor x = leaf(1, 2, 3), y = leaf(4, 5, 6);
        x.mul(y).add(x).sum().backward(); // d/dx = y + 1, d/dy = x
        assertArrayEquals(new double[] {5, 6, 7}, x.grad().toDoubleArray());
        assertArrayEquals(new double[] {1, 2, 3}, y.grad().toDoubleArray());
    }

    @Test
    void gradientsAccumulateAcrossBackwardCallsUntilZeroed() {
        Tensor x = leaf(1, -2);
        x.mul(3).sum().backward();
        x.mul(3).sum().backward();
        assertArrayEquals(new double[] {6, 6}, x.grad().toDoubleArray());
        Tensor buffer = x.grad();
        x.zeroGrad();
        assertArrayEquals(new double[] {0, 0}, x.grad().toDoubleArray());
        x.square().sum().backward();
        assertArrayEquals(new double[] {2, -4}, x.grad().toDoubleArray());
        assertTrue(buffer == x.grad(), "zeroGrad keeps the buffer so steps allocate nothing");
    }

    @Test
    void aTensorUsedOnManyPathsGetsTheSumOfTheirGradients() {
        Tensor x = leaf(2);
        Tensor y = x.mul(x).mul(x); // x³
        y.add(x.mul(x)).sum().backward(); // 3x² + 2x = 16
        assertEquals(16, x.grad().item(), 1e-12);
    }

    @Test
    void noGradRecordsNothingAndNests() {
        Tensor x = leaf(1, 2);
        try (NoGrad outer = Engine.noGrad()) {
            try (NoGrad inner = Engine.noGrad()) {
                assertFalse(Engine.isGradEnabled());
            }
            assertFalse(Engine.isGradEnabled());
            Tensor y = x.mul(2);
            assertFalse(y.requiresGrad());
            assertNull(y.gradFn());
        }
        assertTrue(Engine.isGradEnabled());
        assertTrue(x.mul(2).requiresGrad());
    }

    @Test
    void detachCutsTheGraphButSharesData() {
        Tensor x = leaf(3);
        Tensor d = x.mul(2).detach();
        assertFalse(d.requiresGrad());
        assertEquals(6, d.item());
        assertThrows(IllegalStateException.class, () -> d.sum().backward());
    }

    @Test
    void backwardReleasesTheGraph() {
        Tensor x = leaf(1, 2);
        Tensor y = x.exp().sum();
        y.backward();
        assertNull(y.gradFn(), "a second backward through the same graph needs retain_graph, which we do not keep");
    }

    @Test
    void backwardWithAnExplicitGradient() {
        Tensor x = leaf(1, 2, 3);
        x.mul(2).backward(Tensor.of(DType.F64, new double[] {1, 10, 100}, 3));
        assertArrayEquals(new double[] {2, 20, 200}, x.grad().toDoubleArray());
    }

    @Test
    void backwardOfANonScalarWithoutGradientIsAnError() {
        Tensor x = leaf(1, 2);
        assertThrows(IllegalArgumentException.class, () -> x.mul(2).backward());
    }

    @Test
    void deepChainsDoNotOverflowTheStack() {
        Tensor x = leaf(1);
        Tensor y = x;
        for (int i = 0; i < 20_000; i++) y = y.mul(1.0);
        try (Step step = Engine.step()) {
            y.sum().backward();
        }
        assertEquals(1, x.grad().item(), 1e-12);
    }
}
