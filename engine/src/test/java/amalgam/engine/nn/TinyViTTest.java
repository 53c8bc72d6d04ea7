package amalgam.engine.nn;

import amalgam.engine.DType;
import amalgam.engine.GradCheck;
import amalgam.engine.Tensor;
import amalgam.engine.ops.CrossEntropy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TinyViTTest {

    @Test
    void hasExactlyTheSpecifiedParameters() {
        TinyViT model = new TinyViT(DType.F32, new Random(1));
        assertEquals(72_074, model.parameterCount());
        assertEquals(72_074, model.trainableParameters().stream().mapToLong(Tensor::numel).sum());
        assertArrayEquals(new int[] {192, 64}, model.namedParameters().get("blocks.0.attn.qkv.weight").shape());
        assertArrayEquals(new int[] {1, 17, 64}, model.namedParameters().get("pos_embed").shape());
    }

    @Test
    void producesTenLogitsPerImage() {
        TinyViT model = new TinyViT(DType.F32, new Random(2));
        Tensor images = Tensor.rand(DType.F32, new Random(3), 0, 1, 3, 784);
        assertArrayEquals(new int[] {3, 10}, model.forward(images).shape());
        assertArrayEquals(new int[] {3, 10}, model.forward(images.reshape(3, 28, 28)).shape());
    }

    @Test
    void gradientsMatchFiniteDifferencesEndToEnd() {
        Random random = new Random(4);
        TinyViT model = new TinyViT(DType.F64, random);
        Tensor images = Tensor.rand(DType.F64, random, 0, 1, 2, 784);
        int[] labels = {3, 8};
        List<Tensor> inputs = new ArrayList<>(model.trainableParameters());
        inputs.add(images.requiresGrad(true));
        // One sampled element of every parameter tensor and of the pixels: the full check is 144k passes.
        GradCheck.checkSampled("TinyViT cross-entropy", in -> CrossEntropy.crossEntropy(model.forward(images), labels),
                1, random, inputs.toArray(Tensor[]::new));
    }
}
