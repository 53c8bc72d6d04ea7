package amalgam.engine.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.engine.DType;
import amalgam.engine.Engine;
import amalgam.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

/** TinyViT's one forward pass with Linear weights substituted: what merge/adaptive computes merged models with. */
class WeightSubstitutionTest {

    private static final String PROJ = "blocks.1.attn.proj", QKV = "blocks.0.attn.qkv";

    private static Tensor images() {
        return Tensor.rand(DType.F64, new Random(4), 0, 1, 3, 784);
    }

    private static Tensor weight(Module model, String module) {
        return model.namedParameters().get(module + ".weight");
    }

    @Test
    void aSubstitutedWeightGivesTheLogitsOfAModelHoldingThatWeight() {
        TinyViT model = new TinyViT(DType.F64, new Random(3)), edited = new TinyViT(DType.F64, new Random(3));
        try (var _ = Engine.noGrad()) {
            Tensor doubled = weight(model, PROJ).mul(2).toPersistent();
            doubled.copyInto(weight(edited, PROJ));
            double[] substituted = WeightSubstitution.forward(model, Map.of(PROJ, doubled), images()).toDoubleArray();
            assertArrayEquals(edited.forward(images()).toDoubleArray(), substituted, 0);
            assertFalse(java.util.Arrays.equals(model.forward(images()).toDoubleArray(), substituted));
        }
    }

    @Test
    void substitutingTheOwnWeightsChangesNothingAndScopesRestoreWhatWasBefore() {
        TinyViT model = new TinyViT(DType.F64, new Random(3));
        try (var _ = Engine.noGrad()) {
            double[] plain = model.forward(images()).toDoubleArray();
            Map<String, Tensor> own = Map.of(QKV, weight(model, QKV), PROJ, weight(model, PROJ));
            assertArrayEquals(plain, WeightSubstitution.forward(model, own, images()).toDoubleArray(), 0);
            Tensor zero = Tensor.zeros(DType.F64, weight(model, PROJ).shape());
            try (var _ = WeightSubstitution.of(model, Map.of(PROJ, zero))) {
                double[] outer = model.forward(images()).toDoubleArray();
                try (var _ = WeightSubstitution.of(model, Map.of(PROJ, weight(model, PROJ).mul(3)))) {
                    assertFalse(java.util.Arrays.equals(outer, model.forward(images()).toDoubleArray()));
                }
                assertArrayEquals(outer, model.forward(images()).toDoubleArray(), 0);
            }
            assertArrayEquals(plain, model.forward(images()).toDoubleArray(), 0);
        }
    }

    @Test
    void gradientsReachWhatTheSubstituteWasComputedFromAndNotTheReplacedWeight() {
        TinyViT model = new TinyViT(DType.F64, new Random(3));
        Tensor c = Tensor.scalar(DType.F64, 0.5).requiresGrad(true);
        Tensor delta = Tensor.randn(DType.F64, new Random(5), weight(model, PROJ).shape());
        Tensor merged = weight(model, PROJ).detach().add(delta.mul(c));
        WeightSubstitution.forward(model, Map.of(PROJ, merged), images()).sum().backward();
        assertNotNull(c.grad());
        assertTrue(c.grad().item() != 0);
        assertNull(weight(model, PROJ).grad());
        assertNotNull(weight(model, QKV).grad());
    }

    @Test
    void refusesNamesThatAreNotLinearLayersAndWrongShapes() {
        TinyViT model = new TinyViT(DType.F64, new Random(3));
        Tensor w = weight(model, PROJ);
        assertThrows(IllegalArgumentException.class, () -> WeightSubstitution.of(model, Map.of("blocks.1.attn", w)));
        assertThrows(IllegalArgumentException.class, () -> WeightSubstitution.of(model, Map.of("nope", w)));
        assertThrows(IllegalArgumentException.class,
                () -> WeightSubstitution.of(model, Map.of(QKV, Tensor.zeros(DType.F64, 4, 4))));
        try (var _ = Engine.noGrad()) {
            Tensor other = new TinyViT(DType.F64, new Random(3)).forward(images());
            assertArrayEquals(other.toDoubleArray(), model.forward(images()).toDoubleArray(), 0);
        }
    }
}
