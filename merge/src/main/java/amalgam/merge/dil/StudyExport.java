package amalgam.merge.dil;

import amalgam.engine.data.ImageDataset;
import amalgam.engine.io.AtomicOutput;
import amalgam.engine.nn.TinyViT;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code --save-models DIR}: one seed's models and data in the layouts users already have, so that
 * {@code amalgam run} and {@code amalgam train-coefficients} work on them at once:
 * <pre>
 * DIR/base/                 the pre-trained TinyViT as a ViTForImageClassification checkpoint
 * DIR/adapters/DOMAIN/      each domain's LoRA as a PEFT adapter of it
 * DIR/buffer/CLASS/*.png    the memory buffer after the last experience (image folder, one folder per class)
 * DIR/eval/CLASS/*.png      held-out test images of every domain, for --eval
 * DIR/README.md             the commands that use them
 * </pre>
 * Written atomically: the directory appears complete or not at all.
 */
final class StudyExport {

    /** Test images per class and domain in eval/: enough to tell merges apart, few enough to read in a second. */
    static final int EVAL_PER_CLASS = 10;

    private StudyExport() {}

    static void write(Path target, boolean force, long seed, TinyViT base, List<LoraFactors> loras,
                      List<DomainData> domains, ImageDataset buffer, List<String> bufferNames) throws IOException {
        try (AtomicOutput out = AtomicOutput.begin(target, force)) {
            Path dir = out.directory(), baseDir = target.toAbsolutePath().normalize().resolve("base");
            HuggingFaceExport.writeModel(base, dir.resolve("base"));
            for (int d = 0; d < loras.size(); d++) {
                HuggingFaceExport.writeAdapter(loras.get(d), baseDir, dir.resolve("adapters").resolve(domains.get(d).domain().id()));
            }
            for (int i = 0; i < buffer.size(); i++) {
                writePng(buffer, i, dir.resolve("buffer"), bufferNames.get(i));
            }
            for (DomainData domain : domains) {
                int[] taken = new int[TinyViT.CLASSES];
                ImageDataset test = domain.test();
                for (int i = 0; i < test.size(); i++) {
                    int label = test.label(i);
                    if (taken[label]++ < EVAL_PER_CLASS) {
                        writePng(test, i, dir.resolve("eval"), String.format(Locale.ROOT, "%s-%05d", domain.domain().id(), i));
                    }
                }
            }
            Files.writeString(dir.resolve("README.md"), readme(target, seed, domains));
            out.commit();
        }
    }

    /** Image i of {@code data} as an 8-bit grey PNG in its class's folder: the pixels are bytes, so exactly. */
    private static void writePng(ImageDataset data, int i, Path root, String name) throws IOException {
        Path folder = root.resolve(HuggingFaceExport.LABELS.get(data.label(i)));
        Files.createDirectories(folder);
        float[] pixels = data.images(new int[] {i}).toFloatArray();
        BufferedImage image = new BufferedImage(TinyViT.IMAGE, TinyViT.IMAGE, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < TinyViT.IMAGE; y++) {
            for (int x = 0; x < TinyViT.IMAGE; x++) {
                int v = Math.round(pixels[y * TinyViT.IMAGE + x] * 255);
                image.getRaster().setSample(x, y, 0, v);
            }
        }
        ImageIO.write(image, "png", folder.resolve(name + ".png").toFile());
    }

    private static String readme(Path target, long seed, List<DomainData> domains) {
        String dir = target.toString();
        StringBuilder adapters = new StringBuilder();
        for (DomainData d : domains) adapters.append(' ').append(dir).append("/adapters/").append(d.domain().id());
        return """
                # Models of the domain-incremental study (seed %d)

                - `base/`: the TinyViT pre-trained on `original`, as a transformers `ViTForImageClassification`
                  checkpoint (28×28 grey images, copied to three channels by the image processor).
                - `adapters/DOMAIN/`: the rank-8 LoRA trained on each domain, as a PEFT adapter of `base/`.
                - `buffer/CLASS/`: the memory buffer after the last experience; `eval/CLASS/`: %d test images per class
                  of every domain. File names start with the domain.

                Try them:

                ```
                amalgam run --model %s/base --adapter %s/adapters/edges --image %s/eval/Trouser/$(ls %s/eval/Trouser | head -1)
                amalgam train-coefficients --model %s/base --buffer %s/buffer --eval %s/eval --method ties \\
                    --out %s/learned%s
                amalgam run --model %s/base --adapter %s/learned/adapter --image %s/eval/Bag/$(ls %s/eval/Bag | head -1)
                ```
                """.formatted(seed, EVAL_PER_CLASS, dir, dir, dir, dir, dir, dir, dir, dir, adapters, dir, dir, dir, dir);
    }
}
