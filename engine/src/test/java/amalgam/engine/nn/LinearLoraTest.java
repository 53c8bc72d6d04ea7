package amalgam.engine.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.engine.DType;
import amalgam.engine.GradCheck;
import amalgam.engine.InputException;
import amalgam.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

/** Adapters attached to a Linear: several at once, merged and unmerged, detached, and a weight put in W's place. */
class LinearLoraTest {

    private final Random random = new Random(23);

    @Test
    void adaptersAddUpAndMergeToTheSameFunction() {
        Tensor w = Tensor.randn(DType.F64, random, 5, 6), bias = Tensor.randn(DType.F64, random, 5);
        Linear linear = Linear.frozen(w, bias);
        Tensor a1 = Tensor.randn(DType.F64, random, 2, 6), b1 = Tensor.randn(DType.F64, random, 5, 2);
        Tensor a2 = Tensor.randn(DType.F64, random, 3, 6), b2 = Tensor.randn(DType.F64, random, 5, 3);
        linear.attachLora("one", a1, b1, 0.5);
        linear.attachLora("two", a2, b2, 2.0);
        assertEquals(List.of("weight", "bias", "lora_A.one.weight", "lora_B.one.weight", "lora_A.two.weight",
                "lora_B.two.weight"), List.copyOf(linear.namedParameters().keySet()));
        assertEquals(4, linear.trainableParameters().size());
        Tensor x = Tensor.randn(DType.F64, random, 3, 6);
        Tensor dense = w.add(b1.matmul(a1).mul(0.5)).add(b2.matmul(a2).mul(2.0));
        double[] expected = x.matmul(dense.mT()).add(bias).toDoubleArray();
        assertArrayEquals(expected, linear.forward(x).toDoubleArray(), 1e-12);
        linear.merge();
        assertTrue(linear.isMerged());
        assertArrayEquals(expected, linear.forward(x).toDoubleArray(), 1e-12);
        assertThrows(IllegalStateException.class, () -> linear.detachLora("one"));
        linear.unmerge();
        assertFalse(linear.isMerged());
        linear.detachLora("one");
        assertEquals(List.of("two"), List.copyOf(linear.adapters().keySet()));
        assertArrayEquals(x.matmul(w.add(b2.matmul(a2).mul(2.0)).mT()).add(bias).toDoubleArray(),
                linear.forward(x).toDoubleArray(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> linear.attachLora("two", a2, b2, 1));
        assertThrows(IllegalArgumentException.class, () -> linear.attachLora("bad", a2, b1, 1));
    }

    @Test
    void aWeightComputedInTheGraphTakesWsPlace() {
        Tensor w0 = Tensor.randn(DType.F64, random, 4, 3);
        Tensor delta1 = Tensor.randn(DType.F64, random, 4, 3), delta2 = Tensor.randn(DType.F64, random, 4, 3);
        Linear linear = Linear.frozen(w0, null);
        Tensor alphas = GradCheck.variable(random, 2), x = GradCheck.variable(random, 2, 3);
        // Learned merge coefficients: W = W0 + α₀·Δ₀ + α₁·Δ₁, rebuilt in the graph at each evaluation.
        GradCheck.check("learned merge through Linear", in -> {
            linear.useWeight(w0.add(delta1.mul(in[0].slice(0, 0, 1))).add(delta2.mul(in[0].slice(0, 1, 2))));
            return linear.forward(in[1]);
        }, alphas, x);
        linear.useWeight(null);
        assertArrayEquals(x.matmul(w0.mT()).toDoubleArray(), linear.forward(x).toDoubleArray(), 1e-12);
    }

    @Test
    void modulesAreFoundByDottedPath() {
        TinyViT vit = new TinyViT(DType.F32, new Random(1));
        Linear qkv = vit.linear("blocks.1.attn.qkv");
        assertSame(vit.namedParameters().get("blocks.1.attn.qkv.weight"), qkv.weight());
        assertTrue(vit.module("").isPresent());
        assertTrue(vit.module("blocks.1.attn.nothing").isEmpty());
        InputException e = assertThrows(InputException.class, () -> vit.linear("blocks.1.norm1"));
        assertTrue(e.getMessage().startsWith("module 'blocks.1.norm1'"), e.getMessage());
        vit.attachLora("head", "cls", Tensor.zeros(DType.F32, 2, 64), Tensor.zeros(DType.F32, 10, 2), 1);
        assertTrue(vit.namedParameters().containsKey("head.lora_A.cls.weight"));
    }
}
