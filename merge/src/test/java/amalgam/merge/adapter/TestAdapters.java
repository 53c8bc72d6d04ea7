package amalgam.merge.adapter;

import amalgam.kernels.FloatSegments;
import amalgam.engine.io.FileDType;
import amalgam.engine.io.FloatTensor;
import amalgam.engine.io.Safetensors;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Seeded PEFT-style adapters written by the tests themselves. */
public final class TestAdapters {

    private final Arena arena;
    private final Random random;
    private final Map<String, FloatTensor> tensors = new LinkedHashMap<>();

    public TestAdapters(Arena arena, long seed) {
        this.arena = arena;
        this.random = new Random(seed);
    }

    /** Adds lora_A (rank×in) and lora_B (out×rank) of a Linear module, Gaussian entries. */
    public TestAdapters linear(String module, int rank, int in, int out) {
        tensor(LoraModule.KEY_PREFIX + module + ".lora_A.weight", rank, in);
        return tensor(LoraModule.KEY_PREFIX + module + ".lora_B.weight", out, rank);
    }

    /** Adds lora_embedding_A (rank×numEmbeddings) and lora_embedding_B (dim×rank). */
    public TestAdapters embedding(String module, int rank, int numEmbeddings, int dim) {
        tensor(LoraModule.KEY_PREFIX + module + ".lora_embedding_A", rank, numEmbeddings);
        return tensor(LoraModule.KEY_PREFIX + module + ".lora_embedding_B", dim, rank);
    }

    /** Adds any tensor under any name, Gaussian entries. */
    public TestAdapters tensor(String name, long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        FloatTensor t = new FloatTensor(shape, FloatSegments.allocate(arena, n));
        for (long i = 0; i < n; i++) FloatSegments.set(t.data(), i, (float) random.nextGaussian());
        tensors.put(name, t);
        return this;
    }

    public Map<String, FloatTensor> tensors() {
        return tensors;
    }

    /** Writes adapter_model.safetensors (as {@code dtype}) and adapter_config.json into {@code dir}. */
    public Path write(Path dir, String configJson, FileDType dtype) throws IOException {
        Files.createDirectories(dir);
        Safetensors.write(dir.resolve(LoraAdapter.WEIGHTS_FILE), tensors, Map.of("format", "pt"), dtype);
        Files.writeString(dir.resolve(AdapterConfig.FILE_NAME), configJson);
        return dir;
    }

    /** A minimal PEFT LoRA config with the given r and lora_alpha and whatever extra fields are passed. */
    public static String config(int r, double alpha, String... extraFields) {
        StringBuilder json = new StringBuilder("{\"peft_type\": \"LORA\", \"r\": " + r + ", \"lora_alpha\": " + alpha
                + ", \"base_model_name_or_path\": \"tiny/base\", \"target_modules\": [\"q_proj\", \"v_proj\"]");
        for (String field : extraFields) json.append(", ").append(field);
        return json.append('}').toString();
    }
}
