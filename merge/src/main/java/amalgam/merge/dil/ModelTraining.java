package amalgam.merge.dil;

import amalgam.engine.DType;
import amalgam.engine.Engine;
import amalgam.engine.Tensor;
import amalgam.engine.data.Batches;
import amalgam.engine.data.ImageDataset;
import amalgam.engine.nn.Init;
import amalgam.engine.nn.TinyViT;
import amalgam.engine.nn.WeightSubstitution;
import amalgam.engine.ops.CrossEntropy;
import amalgam.engine.optim.AdamW;
import amalgam.engine.optim.CosineSchedule;
import amalgam.engine.optim.Optimizer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** The experiment's two kinds of training: the base TinyViT, and LoRA adapters on a frozen base. */
public final class ModelTraining {

    static final int BATCH = 64;

    private ModelTraining() {}

    /** A TinyViT trained from scratch (AdamW, cosine schedule) for {@code epochs} epochs of {@code data}. */
    public static TinyViT pretrain(ImageDataset data, double epochs, double learningRate, long seed,
                                   TrainingProgress progress) {
        TinyViT model = new TinyViT(DType.F32, new Random(seed));
        AdamW optimizer = new AdamW(model.trainableParameters(), learningRate);
        run("base", data, epochs, learningRate, optimizer, seed, progress,
                images -> model.forward(images));
        return model;
    }

    /**
     * A LoRA of rank {@code rank} (α = 2r, so s = 2) on the qkv and output projections of both blocks, trained
     * on {@code data} with the base frozen. A starts kaiming-uniform and B at zero, as PEFT initialises them.
     */
    public static LoraFactors trainLora(TinyViT base, ImageDataset data, int rank, double epochs,
                                        double learningRate, long seed, String name, TrainingProgress progress) {
        Random random = new Random(seed);
        Map<String, Tensor> a = new LinkedHashMap<>(), b = new LinkedHashMap<>();
        List<Tensor> trainable = new ArrayList<>();
        Map<String, Tensor> parameters = base.namedParameters();
        for (String module : TinyViT.ATTENTION_PROJECTIONS) {
            Tensor w0 = parameters.get(module + ".weight");
            Tensor la = Init.linearUniform(DType.F32, random, w0.dim(1), rank, w0.dim(1)).toPersistent().requiresGrad(true);
            Tensor lb = Tensor.zeros(DType.F32, w0.dim(0), rank).toPersistent().requiresGrad(true);
            a.put(module, la);
            b.put(module, lb);
            trainable.add(la);
            trainable.add(lb);
        }
        double scaling = 2.0;
        AdamW optimizer = new AdamW(trainable, learningRate);
        run(name, data, epochs, learningRate, optimizer, seed, progress, images -> {
            Map<String, Tensor> weights = new LinkedHashMap<>();
            for (String module : TinyViT.ATTENTION_PROJECTIONS) {
                weights.put(module, parameters.get(module + ".weight").add(b.get(module).matmul(a.get(module)).mul(scaling)));
            }
            return WeightSubstitution.forward(base, weights, images);
        });
        Map<String, Tensor> fa = new LinkedHashMap<>(), fb = new LinkedHashMap<>();
        a.forEach((m, t) -> fa.put(m, t.detach().toPersistent()));
        b.forEach((m, t) -> fb.put(m, t.detach().toPersistent()));
        return new LoraFactors(fa, fb, scaling);
    }

    private static void run(String name, ImageDataset data, double epochs, double learningRate, Optimizer optimizer,
                            long seed, TrainingProgress progress, java.util.function.Function<Tensor, Tensor> model) {
        Batches batches = new Batches(data.size(), Math.min(BATCH, data.size()), seed);
        int steps = Math.max(1, (int) Math.round(epochs * batches.perEpoch()));
        CosineSchedule schedule = new CosineSchedule(learningRate, Math.min(50, steps / 10), steps);
        try (TrainingProgress.Loop loop = progress.start(name, steps)) {
            for (int step = 0; step < steps; step++) {
                int[] batch = batches.next();
                schedule.apply(optimizer, step);
                double loss;
                try (var _ = Engine.step()) {
                    optimizer.zeroGrad();
                    Tensor l = CrossEntropy.crossEntropy(model.apply(data.images(batch)), data.labels(batch));
                    l.backward();
                    loss = l.item();
                    optimizer.step();
                }
                loop.step(loss);
            }
        }
    }
}
