package amalgam.merge.pipeline;

import amalgam.engine.io.FileDType;
import amalgam.merge.adapter.LoraAdapter;
import amalgam.merge.algorithms.MethodParameter;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * How a merged adapter (or full model) was made, in the config file's own shape ({@link MergeConfig}): the method, every input
 * (absolute path, SHA-256 of its weights file, its weight and density for every module), every other parameter
 * the method takes with the value used, and the output type: one form however the merge was asked for. Written beside the adapter as {@value #FILE_NAME} — {@code amalgam merge
 * --config} on it repeats the merge, refusing inputs whose contents changed — and into the safetensors header,
 * where the adapter file carries it wherever it is copied.
 */
public final class MergeRecipe {

    /** The recipe's name inside the output directory. */
    public static final String FILE_NAME = "amalgam_merge.yml";

    private final String version;
    private final Map<String, Object> config;
    private final boolean fullModel;

    private MergeRecipe(String version, Map<String, Object> config, boolean fullModel) {
        this.version = version;
        this.config = config;
        this.fullModel = fullModel;
    }

    /**
     * The recipe of merging {@code adapters} as {@code plan} says into {@code dtype}, or with a {@code baseModel}
     * (and no dtype: each weight keeps the base's) into that model, with the inputs' {@code hashes} from
     * {@link #hashWeights}.
     */
    static MergeRecipe of(MergePlan plan, List<Path> adapters, List<String> hashes, FileDType dtype, Path baseModel) {
        List<Path> directories = adapters.stream().map(a -> a.toAbsolutePath().normalize()).toList();
        List<Map<String, Object>> models = new ArrayList<>();
        for (int i = 0; i < adapters.size(); i++) {
            Map<String, Object> model = new LinkedHashMap<>();
            model.put(MergeConfig.MODEL, directories.get(i).toString());
            model.put(MergeConfig.SHA256, hashes.get(i));
            model.put(MergeConfig.PARAMETERS, yamlParameters(plan.adapterParameters(i)));
            models.add(model);
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put(MergeConfig.MERGE_METHOD, plan.method().cliName());
        if (baseModel != null) config.put(MergeConfig.BASE_MODEL, baseModel.toAbsolutePath().normalize().toString());
        config.put(MergeConfig.MODELS, models);
        config.put(MergeConfig.PARAMETERS, yamlParameters(plan.resolvedParameters()));
        if (dtype != null) config.put(MergeConfig.DTYPE, dtype.name().toLowerCase(Locale.ROOT));
        return new MergeRecipe(ToolVersion.version(), config, baseModel != null);
    }

    /**
     * The SHA-256 of each adapter's weights file, for {@link #of}, hashed in the background: on a one-shot
     * command it runs while the JIT is cold (70-95 ms for eight 0.5 MB files), and started before the adapters
     * are opened it overlaps them.
     */
    static CompletableFuture<List<String>> hashWeights(List<Path> adapters) {
        List<Path> files = adapters.stream().map(a -> a.resolve(LoraAdapter.WEIGHTS_FILE)).toList();
        return CompletableFuture.supplyAsync(() -> FileDigest.sha256(files));
    }

    /** The hashes of {@link #hashWeights}, with a failure to read a file thrown as itself. */
    static List<String> hashes(CompletableFuture<List<String>> hashing) {
        try {
            return hashing.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) throw cause;
            throw e;
        }
    }

    /**
     * The safetensors {@code __metadata__} entries (strings, as the format requires; structured ones as JSON):
     * {@code amalgam_version}, {@code merge_method}, {@code merge_parameters}, {@code merge_models} (each input's
     * path, SHA-256 and own parameters) and {@code merge_dtype}, or for a full model {@code merge_base_model}.
     */
    public Map<String, String> safetensorsMetadata() {
        ObjectMapper json = new ObjectMapper();
        try {
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("amalgam_version", version);
            metadata.put("merge_method", (String) config.get(MergeConfig.MERGE_METHOD));
            metadata.put("merge_parameters", json.writeValueAsString(config.get(MergeConfig.PARAMETERS)));
            metadata.put("merge_models", json.writeValueAsString(config.get(MergeConfig.MODELS)));
            if (config.containsKey(MergeConfig.BASE_MODEL)) {
                metadata.put("merge_base_model", (String) config.get(MergeConfig.BASE_MODEL));
            }
            if (config.containsKey(MergeConfig.DTYPE)) metadata.put("merge_dtype", (String) config.get(MergeConfig.DTYPE));
            return metadata;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a recipe of strings and numbers always serialises", e);
        }
    }

    /** Writes {@value #FILE_NAME} into {@code directory}. */
    void writeYaml(Path directory) throws IOException {
        // Quotes only where YAML needs them, numbers-as-strings included, so the file reads back as it was written.
        YAMLMapper yaml = YAMLMapper.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS).build();
        String header = "# How this " + (fullModel ? "model" : "adapter") + " was made, by amalgam " + version
                + ". To repeat the merge:\n"
                + "#   amalgam merge --config " + FILE_NAME + (fullModel ? " --full-model" : "") + " --out DIR\n";
        Files.writeString(directory.resolve(FILE_NAME), header + yaml.writeValueAsString(config));
    }

    /** Parameters in the config's shape: a plain value, or mergekit's list of filter entries. */
    private static Map<String, Object> yamlParameters(Map<MethodParameter, ParameterValue> values) {
        Map<String, Object> out = new LinkedHashMap<>();
        values.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> out.put(e.getKey().key(), yamlValue(e.getValue())));
        return out;
    }

    private static Object yamlValue(ParameterValue value) {
        if (!value.isFiltered()) return value.value();
        List<Map<String, Object>> entries = new ArrayList<>();
        for (ParameterValue.Entry e : value.entries()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            ModuleFilter f = e.filter();
            if (f.namePart() != null) entry.put(MergeConfig.FILTER, f.namePart());
            if (f.fromLayer() != null) entry.put(MergeConfig.LAYERS, List.of(f.fromLayer(), f.toLayer()));
            entry.put(MergeConfig.VALUE, e.value());
            entries.add(entry);
        }
        return entries;
    }
}
