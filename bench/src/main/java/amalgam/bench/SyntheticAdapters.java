package amalgam.bench;

import amalgam.kernels.FloatSegments;
import amalgam.merge.adapter.AdapterConfig;
import amalgam.merge.adapter.LoraAdapterWriter;
import amalgam.merge.adapter.LoraModule;
import amalgam.engine.io.AtomicOutput;
import amalgam.engine.io.FileDType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes the merge benchmark's inputs: {@code count} seeded random PEFT LoRA adapters of one transformer block's
 * worth of modules (two 2048×2048 attention projections and one 2048→5504 MLP projection), the shapes the
 * issue's PyTorch baseline was timed on.
 *
 * <pre>java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar \
 *     amalgam.bench.SyntheticAdapters --out DIR --count 8 --rank 16 --dtype bf16 [--seed 1]</pre>
 *
 * writes DIR/adapter1 … DIR/adapterN.
 */
public final class SyntheticAdapters {

    /** name, in, out: the benchmark's module shapes. */
    record Shape(String name, int in, int out) {}

    static final List<Shape> SHAPES = List.of(
            new Shape("model.layers.0.self_attn.q_proj", 2048, 2048),
            new Shape("model.layers.0.self_attn.o_proj", 2048, 2048),
            new Shape("model.layers.0.mlp.up_proj", 2048, 5504));

    private SyntheticAdapters() {}

    public static void main(String[] args) throws IOException {
        Path out = null;
        int count = 8, rank = 16;
        long seed = 1;
        FileDType dtype = FileDType.BF16;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--out" -> out = Path.of(value);
                case "--count" -> count = Integer.parseInt(value);
                case "--rank" -> rank = Integer.parseInt(value);
                case "--seed" -> seed = Long.parseLong(value);
                case "--dtype" -> dtype = FileDType.valueOf(value.toUpperCase(Locale.ROOT));
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; usage: --out DIR [--count N] [--rank R] [--dtype f32|f16|bf16] [--seed S]");
            }
            i++;
        }
        if (out == null) throw new IllegalArgumentException("--out DIR is required");
        Files.createDirectories(out);
        for (int a = 1; a <= count; a++) {
            write(out.resolve("adapter" + a), rank, dtype, seed * 1_000 + a);
        }
        System.out.println("wrote " + count + " adapters of rank " + rank + " (" + dtype + ") to " + out);
    }

    /** One adapter: A and B entries uniform in ±1/√fan-in, so every ΔW has entries of order 1/√in. */
    static void write(Path directory, int rank, FileDType dtype, long seed) throws IOException {
        AdapterConfig template = AdapterConfig.parse(config(rank).getBytes(StandardCharsets.UTF_8), "synthetic");
        List<LoraModule> modules = SHAPES.stream()
                .map(s -> new LoraModule(s.name(), LoraModule.Kind.LINEAR, rank, s.in(), s.out(), 1, dtype))
                .toList();
        SplittableRandom random = new SplittableRandom(seed);
        try (Arena arena = Arena.ofConfined();
             AtomicOutput output = AtomicOutput.begin(directory, true);
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
