package amalgam.merge.dil;

import amalgam.engine.DType;
import amalgam.engine.Engine;
import amalgam.engine.Tensor;
import amalgam.engine.data.Batches;
import amalgam.engine.data.ImageDataset;
import amalgam.engine.nn.Init;
import amalgam.engine.nn.Module;
import amalgam.engine.nn.TinyViT;
import amalgam.engine.nn.WeightSubstitution;
import amalgam.engine.ops.CrossEntropy;
import amalgam.engine.optim.AdamW;
import amalgam.engine.optim.CosineSchedule;
import amalgam.engine.optim.Optimizer;
import amalgam.merge.adaptive.Buffer;
import amalgam.merge.adaptive.LabelledImages;
import amalgam.merge.adaptive.Objective;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;

/** The studies' two kinds of training: a base model, and LoRA adapters on a frozen base. */
public final class ModelTraining {

    static final int BATCH = 64;

    private ModelTraining() {}

    /** A TinyViT trained from scratch (AdamW, cosine schedule) for {@code epochs} epochs of {@code data}. */
    public static TinyViT pretrain(ImageDataset data, double epochs, double learningRate, long seed,
                                   TrainingProgress progress) {
        TinyViT model = new TinyViT(DType.F32, new Random(seed));
        AdamW optimizer = new AdamW(model.trainableParameters(), learningRate);
        Batches batches = new Batches(data.size(), Math.min(BATCH, data.size()), seed);
        int steps = Math.max(1, (int) Math.round(epochs * batches.perEpoch()));
        run("base", steps, learningRate, optimizer, progress, step -> {
            int[] batch = batches.next();
            return CrossEntropy.crossEntropy(model.forward(data.images(batch)), data.labels(batch));
        });
        return model;
    }

    /**
     * A LoRA of rank {@code rank} (α = 2r, so s = 2) on the qkv and output projections of both blocks, trained
     * on {@code data} with the base frozen.
     */
    public static LoraFactors trainLora(TinyViT base, ImageDataset data, int rank, double epochs,
                                        double learningRate, long seed, String name, TrainingProgress progress) {
        Batches batches = new Batches(data.size(), Math.min(BATCH, data.size()), seed);
        int steps = Math.max(1, (int) Math.round(epochs * batches.perEpoch()));
        return trainLora(base, TinyViT.ATTENTION_PROJECTIONS, rank, steps, learningRate, seed, name, progress, step -> {
            int[] batch = batches.next();
            return new LabelledImages(base::forward, data.images(batch), data.labels(batch), Objective.crossEntropy());
        });
    }

    /**
     * A LoRA of rank {@code rank} (α = 2r, so s = 2) on the Linear modules {@code modules} of any engine model,
     * trained for {@code steps} AdamW steps (cosine schedule) on the buffers {@code batches} gives for each step,
     * the base frozen. A starts kaiming-uniform and B at zero, as PEFT initialises them; the model's own forward
     * runs with W0 + s·B·A substituted.
     */
    public static LoraFactors trainLora(Module base, List<String> modules, int rank, int steps, double learningRate,
                                        long seed, String name, TrainingProgress progress, IntFunction<Buffer> batches) {
        Random random = new Random(seed);
        Map<String, Tensor> a = new LinkedHashMap<>(), b = new LinkedHashMap<>();
        List<Tensor> trainable = new ArrayList<>();
        for (String module : modules) {
            Tensor w0 = base.linear(module).weight();
            Tensor la = Init.linearUniform(DType.F32, random, w0.dim(1), rank, w0.dim(1)).toPersistent().requiresGrad(true);
            Tensor lb = Tensor.zeros(DType.F32, w0.dim(0), rank).toPersistent().requiresGrad(true);
            a.put(module, la);
            b.put(module, lb);
            trainable.add(la);
            trainable.add(lb);
        }
        double scaling = 2.0;
        AdamW optimizer = new AdamW(trainable, learningRate);
        run(name, steps, learningRate, optimizer, progress, step -> {
            Map<String, Tensor> weights = new LinkedHashMap<>();
            for (String module : modules) {
                weights.put(module, base.linear(module).weight().add(b.get(module).matmul(a.get(module)).mul(scaling)));
            }
            try (var _ = WeightSubstitution.of(base, weights)) {
                return batches.apply(step).loss();
            }
        });
        Map<String, Tensor> fa = new LinkedHashMap<>(), fb = new LinkedHashMap<>();
        a.forEach((m, t) -> fa.put(m, t.detach().toPersistent()));
        b.forEach((m, t) -> fb.put(m, t.detach().toPersistent()));
        return new LoraFactors(fa, fb, scaling);
    }

    /** {@code steps} optimiser steps on the loss {@code loss} gives for each step, with a cosine schedule. */
    public static void run(String name, int steps, double learningRate, Optimizer optimizer, TrainingProgress progress,
                           IntFunction<Tensor> loss) {
        CosineSchedule schedule = new CosineSchedule(learningRate, Math.min(50, steps / 10), steps);
        try (TrainingProgress.Loop loop = progress.start(name, steps)) {
            for (int step = 0; step < steps; step++) {
                schedule.apply(optimizer, step);
                double value;
                try (var _ = Engine.step()) {
                    optimizer.zeroGrad();
                    Tensor l = loss.apply(step);
                    l.backward();
                    value = l.item();
                    optimizer.step();
                }
                loop.step(value);
            }
        }
    }
}
