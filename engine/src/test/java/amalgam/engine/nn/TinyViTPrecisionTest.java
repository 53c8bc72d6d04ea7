package amalgam.engine.nn;

import amalgam.engine.DType;
import amalgam.engine.Tensor;
import amalgam.engine.ops.CrossEntropy;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The F32 path (fast backend) against the F64 path (double reference) on the same TinyViT: gradient checks
 * run in F64 only, so this is what shows the fast kernels receive the same calls correctly.
 */
class TinyViTPrecisionTest {

    @Test
    void f32LogitsAndGradientsMatchTheDoubleReference() {
        TinyViT single = new TinyViT(DType.F32, new Random(5)), dbl = new TinyViT(DType.F64, new Random(5));
        double[] pixels = Tensor.rand(DType.F64, new Random(6), 0, 1, 3, 784).toDoubleArray();
        int[] labels = {1, 4, 9};
        Tensor logits32 = single.forward(Tensor.of(DType.F32, pixels, 3, 784));
        Tensor logits64 = dbl.forward(Tensor.of(DType.F64, pixels, 3, 784));
        assertClose("logits", logits64.toDoubleArray(), logits32.toDoubleArray(), 1e-4);
        CrossEntropy.crossEntropy(logits32, labels).backward();
        CrossEntropy.crossEntropy(logits64, labels).backward();
        Map<String, Tensor> p32 = single.namedParameters(), p64 = dbl.namedParameters();
        for (String name : p64.keySet()) {
            assertClose(name, p64.get(name).grad().toDoubleArray(), p32.get(name).grad().toDoubleArray(), 2e-3);
        }
    }

    /** Each element within tol of the reference, relative to the tensor's largest magnitude. */
    private static void assertClose(String what, double[] expected, double[] actual, double tol) {
        double scale = 1e-12;
        for (double e : expected) scale = Math.max(scale, Math.abs(e));
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol * scale, what + " element " + i);
        }
    }
}
