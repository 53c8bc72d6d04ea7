package amalgam.merge.adaptive;

import amalgam.engine.DType;
import amalgam.engine.Engine;
import amalgam.engine.Tensor;
import amalgam.engine.nn.TinyViT;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class VitForwardTest {

    @Test
    void equalsTinyViTWhenNoWeightIsReplaced() {
        TinyViT model = new TinyViT(DType.F64, new Random(3));
        Tensor images = SyntheticAdapters.images(DType.F64, 3, 4);
        try (var _ = Engine.noGrad(); var _ = Engine.step()) {
            double[] expected = model.forward(images).toDoubleArray();
            double[] actual = VitForward.logits(model.namedParameters(), Map.of(), images).toDoubleArray();
            assertArrayEquals(expected, actual, 1e-12);
        }
    }

    @Test
    void aReplacedWeightChangesTheLogits() {
        TinyViT model = new TinyViT(DType.F64, new Random(3));
        Tensor images = SyntheticAdapters.images(DType.F64, 2, 4);
        Tensor w0 = model.namedParameters().get("blocks.1.attn.proj.weight");
        try (var _ = Engine.noGrad(); var _ = Engine.step()) {
            double[] plain = VitForward.logits(model.namedParameters(), Map.of(), images).toDoubleArray();
            double[] replaced = VitForward.logits(model.namedParameters(),
                    Map.of("blocks.1.attn.proj", w0.mul(2)), images).toDoubleArray();
            assertFalse(java.util.Arrays.equals(plain, replaced));
        }
    }
}
