package amalgam.merge.cli;

import amalgam.kernels.FloatSegments;
import amalgam.merge.adapter.AdapterConfig;
import amalgam.merge.adapter.LoraAdapter;
import amalgam.merge.adapter.LoraModule;
import amalgam.merge.adapter.TestAdapters;
import amalgam.engine.io.FileDType;
import amalgam.engine.io.SafetensorsWriter;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded F32 adapters of any size, written tensor by tensor through one reusable buffer, so that the test JVM
 * never holds a whole adapter. Each layer has a q_proj ({@link #Q_OUT}×{@link #IN}) and a v_proj
 * ({@link #V_OUT}×{@link #IN}); entries are uniform in [-1, 1).
 */
final class LargeTestAdapters {

    static final int IN = 512;
    static final int Q_OUT = 512;
    static final int V_OUT = 256;

    private LargeTestAdapters() {}

    static String q(int layer) {
        return "model.layers." + layer + ".self_attn.q_proj";
    }

    static String v(int layer) {
        return "model.layers." + layer + ".self_attn.v_proj";
    }

    /** The file's size in bytes for {@code layers} layers of rank {@code rank}, header aside. */
    static long weightBytes(int layers, int rank) {
        return (long) layers * rank * (2L * IN + Q_OUT + V_OUT) * Float.BYTES;
    }

    /** Writes adapter_model.safetensors and adapter_config.json (r = {@code rank}) into {@code dir}. */
    static Path write(Path dir, int layers, int rank, double alpha, long seed) throws IOException {
        List<SafetensorsWriter.Spec> specs = new ArrayList<>();
        for (int layer = 0; layer < layers; layer++) {
            for (String module : List.of(q(layer), v(layer))) {
                long out = module.endsWith("q_proj") ? Q_OUT : V_OUT;
                specs.add(new SafetensorsWriter.Spec(key(module, "A"), new long[] {rank, IN}, FileDType.F32));
                specs.add(new SafetensorsWriter.Spec(key(module, "B"), new long[] {out, rank}, FileDType.F32));
            }
        }
        Files.createDirectories(dir);
        SplittableRandom random = new SplittableRandom(seed);
        try (Arena arena = Arena.ofConfined();
             SafetensorsWriter writer = SafetensorsWriter.create(dir.resolve(LoraAdapter.WEIGHTS_FILE), specs,
                     Map.of("format", "pt"))) {
            MemorySegment buffer = FloatSegments.allocate(arena, (long) rank * Math.max(IN, Q_OUT));
            for (SafetensorsWriter.Spec spec : specs) {
                long n = spec.shape()[0] * spec.shape()[1];
                for (long i = 0; i < n; i++) FloatSegments.set(buffer, i, (float) (2 * random.nextDouble() - 1));
                writer.write(spec.name(), buffer);
            }
        }
        Files.writeString(dir.resolve(AdapterConfig.FILE_NAME), TestAdapters.config(rank, alpha));
        return dir;
    }

    private static String key(String module, String factor) {
        return LoraModule.KEY_PREFIX + module + ".lora_" + factor + ".weight";
    }
}
