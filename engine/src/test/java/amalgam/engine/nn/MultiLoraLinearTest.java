package amalgam.engine.nn;

import amalgam.engine.DType;
import amalgam.engine.GradCheck;
import amalgam.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MultiLoraLinearTest {

    private final Random random = new Random(31);

    @Test
    void eachGroupOfRowsMatchesItsOwnLoraLinear() {
        Tensor w0 = Tensor.randn(DType.F64, random, 6, 5), bias = Tensor.randn(DType.F64, random, 6);
        List<Lora> adapters = List.of(
                new Lora(Tensor.randn(DType.F64, random, 2, 5), Tensor.randn(DType.F64, random, 6, 2), 0.5),
                new Lora(Tensor.randn(DType.F64, random, 3, 5), Tensor.randn(DType.F64, random, 6, 3), 2.0),
                new Lora(Tensor.randn(DType.F64, random, 1, 5), Tensor.randn(DType.F64, random, 6, 1), 1.0));
        MultiLoraLinear multi = new MultiLoraLinear(w0, bias, adapters);
        Tensor x = Tensor.randn(DType.F64, random, 7, 5);
        int[] rows = {3, 0, 4};
        double[] y = multi.forward(x, rows).toDoubleArray();
        int start = 0;
        for (int g = 0; g < 3; g++) {
            Lora ad = adapters.get(g);
            LoraLinear single = new LoraLinear(w0, bias, ad.a(), ad.b(), ad.scaling());
            double[] expected = single.forward(x.slice(0, start, start + rows[g])).toDoubleArray();
            double[] actual = java.util.Arrays.copyOfRange(y, start * 6, (start + rows[g]) * 6);
            assertArrayEquals(expected, actual, 1e-12, "adapter " + g);
            start += rows[g];
        }
        assertThrows(IllegalArgumentException.class, () -> multi.forward(x, new int[] {3, 3, 0}));
    }

    @Test
    void gradientsReachEveryAdapterAndTheInput() {
        Tensor w0 = Tensor.randn(DType.F64, random, 4, 3);
        Tensor a0 = GradCheck.variable(random, 2, 3), b0 = GradCheck.variable(random, 4, 2);
        Tensor a1 = GradCheck.variable(random, 2, 3), b1 = GradCheck.variable(random, 4, 2);
        Tensor x = GradCheck.variable(random, 5, 3);
        GradCheck.check("multi-adapter LoRA", in -> new MultiLoraLinear(w0, null, List.of(
                new Lora(in[0], in[1], 0.7), new Lora(in[2], in[3], 1.3)))
                .forward(in[4], new int[] {2, 3}), a0, b0, a1, b1, x);
    }
}
