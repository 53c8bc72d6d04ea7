package amalgam.engine.nn;

import amalgam.engine.DType;
import amalgam.engine.Engine;
import amalgam.engine.NoGrad;
import amalgam.engine.Step;
import amalgam.engine.Tensor;
import amalgam.engine.data.Batches;
import amalgam.engine.data.FashionMnist;
import amalgam.engine.data.ImageDataset;
import amalgam.engine.ops.CrossEntropy;
import amalgam.engine.optim.AdamW;
import amalgam.engine.optim.CosineSchedule;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** TinyViT learns Fashion-MNIST from the embedded subset: ≥ 80% test accuracy with a fixed seed. */
class TinyViTTrainingTest {

    @Test
    void reachesEightyPercentOnTheEmbeddedSubset() {
        assumeTrue(!"scalar".equals(Engine.f32GemmName()),
                "training TinyViT takes minutes on the scalar reference GEMM; it runs once a fast GEMM is wired in");
        FashionMnist data = FashionMnist.embedded();
        TinyViT model = new TinyViT(DType.F32, new Random(1));
        AdamW optimizer = new AdamW(model.trainableParameters(), 2e-3);
        Batches batches = new Batches(data.train().size(), 32, 2);
        int steps = 8 * batches.perEpoch();
        CosineSchedule schedule = new CosineSchedule(2e-3, 50, steps);
        long before = 0;
        for (int step = 0; step < steps; step++) {
            int[] batch = batches.next();
            schedule.apply(optimizer, step);
            try (Step s = Engine.step()) {
                optimizer.zeroGrad();
                CrossEntropy.crossEntropy(model.forward(data.train().images(batch)), data.train().labels(batch))
                        .backward();
                optimizer.step();
            }
            if (step == 10) before = Engine.stepMemoryBytes();
        }
        assertTrue(Engine.stepMemoryBytes() == before, "step memory grew during training");
        double accuracy = testAccuracy(model, data.test());
        assertTrue(accuracy >= 0.80, "test accuracy " + accuracy);
    }

    static double testAccuracy(Module model, ImageDataset test) {
        int[] all = new int[test.size()];
        for (int i = 0; i < all.length; i++) all[i] = i;
        try (NoGrad g = Engine.noGrad(); Step s = Engine.step()) {
            Tensor logits = model.forward(test.images(all));
            return Accuracy.of(logits, test.labels(all));
        }
    }
}
