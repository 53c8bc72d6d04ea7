package amalgam.merge.adapter;

import amalgam.kernels.FloatSegments;
import amalgam.engine.InputException;
import amalgam.engine.io.AtomicOutput;
import amalgam.engine.io.FileDType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded random PEFT LoRA adapters of one transformer block's worth of modules (two 2048×2048 attention
 * projections and one 2048→5504 MLP projection), the shapes the merge benchmark and its PyTorch peer are timed
 * on: {@code amalgam synthetic-adapters} writes them, so anyone can repeat a merge measurement without
 * downloading adapters.
 */
public final class SyntheticAdapters {

    /** name, in, out: the benchmark's module shapes. */
    record Shape(String name, int in, int out) {}

    static final List<Shape> SHAPES = List.of(
            new Shape("model.layers.0.self_attn.q_proj", 2048, 2048),
            new Shape("model.layers.0.self_attn.o_proj", 2048, 2048),
            new Shape("model.layers.0.mlp.up_proj", 2048, 5504));

    private SyntheticAdapters() {}

    /** Writes {@code count} adapters as {@code out/adapter1} … {@code out/adapterN}; adapter a uses seed·1000 + a. */
    public static List<Path> writeAll(Path out, int count, int rank, FileDType dtype, long seed, boolean force)
            throws IOException {
        for (int a = 1; a <= count && !force; a++) {
            Path directory = out.resolve("adapter" + a);
            // All refused before any is written, so a refusal leaves no half-written set behind.
            if (Files.exists(directory)) {
                throw new InputException(directory.toString(), "exists; give --force to replace it");
            }
        }
        try {
            Files.createDirectories(out);
        } catch (java.nio.file.FileSystemException e) {
            throw new InputException(out.toString(), "cannot create the directory: "
                    + (e.getReason() != null ? e.getReason() : e.getMessage()), e);
        }
        List<Path> written = new ArrayList<>();
        for (int a = 1; a <= count; a++) {
            Path directory = out.resolve("adapter" + a);
            write(directory, rank, dtype, seed * 1_000 + a, force);
            written.add(directory);
        }
        return written;
    }

    /** One adapter: A and B entries uniform in ±1/√fan-in, so every ΔW has entries of order 1/√in. */
    static void write(Path directory, int rank, FileDType dtype, long seed, boolean force) throws IOException {
        AdapterConfig template = AdapterConfig.parse(config(rank).getBytes(StandardCharsets.UTF_8), "synthetic");
        List<LoraModule> modules = SHAPES.stream()
                .map(s -> new LoraModule(s.name(), LoraModule.Kind.LINEAR, rank, s.in(), s.out(), 1, dtype))
                .toList();
        SplittableRandom random = new SplittableRandom(seed);
        try (Arena arena = Arena.ofConfined();
             AtomicOutput output = AtomicOutput.begin(directory, force);
             LoraAdapterWriter writer = LoraAdapterWriter.create(output.directory(), template, modules, dtype)) {
            for (Shape s : SHAPES) {
                writer.write(s.name(), uniform(arena, (long) rank * s.in(), 1 / Math.sqrt(s.in()), random),
                        uniform(arena, (long) s.out() * rank, 1 / Math.sqrt(rank), random));
            }
            writer.finish();
            output.commit();
        }
    }

    private static MemorySegment uniform(Arena arena, long n, double bound, SplittableRandom random) {
        MemorySegment m = FloatSegments.allocate(arena, n);
        for (long i = 0; i < n; i++) FloatSegments.set(m, i, (float) (bound * (2 * random.nextDouble() - 1)));
        return m;
    }

    private static String config(int rank) {
        return """
                {"peft_type": "LORA", "task_type": "CAUSAL_LM", "base_model_name_or_path": "synthetic/bench",
                 "r": %d, "lora_alpha": %d, "use_rslora": false, "fan_in_fan_out": false,
                 "target_modules": ["q_proj", "o_proj", "up_proj"]}""".formatted(rank, rank);
    }
}
