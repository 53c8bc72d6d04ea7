package amalgam.merge.pipeline;

import amalgam.engine.InputException;
import amalgam.merge.adapter.LoraAdapter;
import amalgam.merge.algorithms.MethodParameter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A merge described in a YAML file, in mergekit's shape, read into the same {@link MergeRequest} the command-line
 * options give (so both are validated, and merged, by the same code):
 *
 * <pre>{@code
 * merge_method: ties
 * models:
 *   - model: adapters/a            # relative to the config file's folder
 *     parameters: {weight: 0.7, density: 0.5}
 *   - model: adapters/b
 *     parameters: {weight: 0.3}
 * parameters:
 *   density: [{filter: self_attn, value: 0.3}, {layers: [0, 4], value: 0.6}, {value: 0.5}]
 *   rank: 16
 * dtype: bfloat16
 * }</pre>
 *
 * Every error names the file, the line and the key. {@code base_model} (relative to the file's folder, like the
 * adapters) is the model a {@code --full-model} merge folds the update into; without that option the output is an
 * adapter and base_model is unused.
 *
 * @param baseModel      null when the file names none
 * @param baseModelWhere the file, line and key of base_model, for messages about it
 */
public record MergeConfig(List<Path> adapters, MergeRequest request, Path baseModel, String baseModelWhere) {

    static final String MERGE_METHOD = "merge_method";
    static final String MODELS = "models";
    static final String MODEL = "model";
    static final String SHA256 = "sha256";
    static final String PARAMETERS = "parameters";
    static final String DTYPE = "dtype";
    static final String BASE_MODEL = "base_model";
    static final String FILTER = "filter";
    static final String LAYERS = "layers";
    static final String VALUE = "value";

    private static final Set<String> TOP_LEVEL = Set.of(MERGE_METHOD, MODELS, PARAMETERS, DTYPE, BASE_MODEL);
    private static final Set<String> MODEL_KEYS = Set.of(MODEL, PARAMETERS, SHA256);
    private static final Set<String> FILTER_KEYS = Set.of(FILTER, LAYERS, VALUE);

    /** Reads and checks {@code file}'s shape; the parameters themselves are checked by {@link MergePlan#of}. */
    public static MergeConfig read(Path file) {
        return new Reader(file).read();
    }

    private record Reader(Path file) {

        MergeConfig read() {
            YamlNode root = YamlNode.read(file);
            if (!(root.value() instanceof Map<?, ?>)) {
                throw new InputException(file + ":" + root.line(), "expected a mapping with " + MERGE_METHOD + " and "
                        + MODELS + " (see amalgam merge --help)");
            }
            Map<String, YamlNode> top = root.asMap();
            requireKnownKeys(top, TOP_LEVEL, "");
            YamlNode method = required(root, MERGE_METHOD, "", "name the merge method, e.g. merge_method: ties");
            String methodName = string(method, MERGE_METHOD);
            YamlNode models = required(root, MODELS, "", "list the adapters, each as - model: DIR");
            if (!(models.value() instanceof List<?> list) || list.isEmpty()) {
                throw error(models, MODELS, "must be a list of adapters, each as - model: DIR");
            }
            List<Path> adapters = new ArrayList<>();
            List<Map<MethodParameter, ParameterValue>> perAdapter = new ArrayList<>();
            for (int i = 0; i < models.asList().size(); i++) {
                YamlNode entry = models.asList().get(i);
                String path = MODELS + "[" + i + "]";
                if (!(entry.value() instanceof Map<?, ?>)) throw error(entry, path, "must be a mapping with model: DIR");
                Map<String, YamlNode> keys = entry.asMap();
                requireKnownKeys(keys, MODEL_KEYS, path + ".");
                YamlNode model = required(entry, MODEL, path + ".", "give the adapter's directory");
                adapters.add(adapterDirectory(model, keys.get(SHA256), path));
                YamlNode own = keys.get(PARAMETERS);
                perAdapter.add(own == null ? Map.of() : parameters(own, path + "." + PARAMETERS));
            }
            YamlNode global = top.get(PARAMETERS);
            YamlNode dtype = top.get(DTYPE);
            YamlNode base = top.get(BASE_MODEL);
            Path baseModel = base == null ? null
                    : file.toAbsolutePath().getParent().resolve(string(base, BASE_MODEL)).normalize();
            MergeRequest request = new MergeRequest(MergeRequest.Source.CONFIG, methodName,
                    where(method, MERGE_METHOD), global == null ? Map.of() : parameters(global, PARAMETERS), perAdapter,
                    dtype == null ? null : string(dtype, DTYPE), dtype == null ? null : where(dtype, DTYPE));
            return new MergeConfig(adapters, request, baseModel, base == null ? null : where(base, BASE_MODEL));
        }

        /** The adapter directory, relative to the config's folder, checked to exist and, if given, to hash as expected. */
        private Path adapterDirectory(YamlNode model, YamlNode sha256, String path) {
            String name = string(model, path + "." + MODEL);
            Path folder = file.toAbsolutePath().getParent();
            Path dir = folder.resolve(name).normalize();
            if (!Files.isDirectory(dir)) {
                throw error(model, path + "." + MODEL, "no adapter directory at " + dir);
            }
            if (sha256 != null) {
                String expected = string(sha256, path + "." + SHA256).trim().toLowerCase(java.util.Locale.ROOT);
                Path weights = dir.resolve(LoraAdapter.WEIGHTS_FILE);
                String actual = FileDigest.sha256(weights);
                if (!actual.equals(expected)) {
                    throw error(sha256, path + "." + SHA256, weights + " has SHA-256 " + actual + ", not " + expected
                            + ": the adapter changed since this recipe was written; drop sha256 to merge it anyway");
                }
            }
            return dir;
        }

        /** A {@code parameters} mapping: each key a parameter, each value a plain value or filter entries. */
        private Map<MethodParameter, ParameterValue> parameters(YamlNode node, String path) {
            if (node.value() == null) return Map.of(); // "parameters:" with nothing under it
            if (!(node.value() instanceof Map<?, ?>)) {
                throw error(node, path, "must be a mapping of parameter names to values, e.g. {weight: 0.5}");
            }
            Map<MethodParameter, ParameterValue> values = new EnumMap<>(MethodParameter.class);
            for (Map.Entry<String, YamlNode> e : node.asMap().entrySet()) {
                String key = path + "." + e.getKey();
                MethodParameter p = MethodParameter.fromKey(e.getKey()).orElseThrow(() -> error(e.getValue(), key,
                        "unknown parameter; expected one of " + Arrays.stream(MethodParameter.values())
                                .map(MethodParameter::key).collect(Collectors.joining(", "))));
                YamlNode value = e.getValue();
                values.put(p, value.value() instanceof List<?> ? filtered(value, key)
                        : ParameterValue.of(value.value(), where(value, key)));
            }
            return values;
        }

        /** mergekit's list of {filter: PART, value: V} entries, with {layers: [FROM, TO]} for a layer range. */
        private ParameterValue filtered(YamlNode node, String key) {
            List<ParameterValue.Entry> entries = new ArrayList<>();
            for (int j = 0; j < node.asList().size(); j++) {
                YamlNode item = node.asList().get(j);
                String path = key + "[" + j + "]";
                if (!(item.value() instanceof Map<?, ?>)) {
                    throw error(item, path, "must be a filter entry like {filter: self_attn, value: 0.3} (a list of "
                            + "bare values, mergekit's gradient over layers, is not supported)");
                }
                Map<String, YamlNode> keys = item.asMap();
                requireKnownKeys(keys, FILTER_KEYS, path + ".");
                YamlNode value = required(item, VALUE, path + ".", "give the value for the modules it matches");
                if (value.value() instanceof List<?>) {
                    throw error(value, path + "." + VALUE, "a list of values (mergekit's gradient over layers) is not "
                            + "supported; give one value, and layers: [FROM, TO] for a range of layers");
                }
                String namePart = keys.containsKey(FILTER) ? string(keys.get(FILTER), path + "." + FILTER) : null;
                Integer from = null, to = null;
                if (keys.containsKey(LAYERS)) {
                    int[] range = layerRange(keys.get(LAYERS), path + "." + LAYERS);
                    from = range[0];
                    to = range[1];
                }
                entries.add(new ParameterValue.Entry(new ModuleFilter(namePart, from, to), value.value(),
                        where(value, path + "." + VALUE)));
            }
            if (entries.isEmpty()) throw error(node, key, "is an empty list; give a value");
            return new ParameterValue(entries);
        }

        private int[] layerRange(YamlNode node, String key) {
            if (node.value() instanceof List<?> list && list.size() == 2
                    && node.asList().stream().allMatch(n -> n.value() instanceof Integer)) {
                int from = (Integer) node.asList().get(0).value(), to = (Integer) node.asList().get(1).value();
                if (from >= 0 && from < to) return new int[] {from, to};
            }
            throw error(node, key, "must be [FROM, TO], whole numbers with 0 <= FROM < TO (TO excluded, as in "
                    + "mergekit's layer_range)");
        }

        private void requireKnownKeys(Map<String, YamlNode> map, Set<String> known, String prefix) {
            for (Map.Entry<String, YamlNode> e : map.entrySet()) {
                if (!known.contains(e.getKey())) {
                    throw error(e.getValue(), prefix + e.getKey(), "unknown key; expected "
                            + known.stream().sorted().collect(Collectors.joining(", ")));
                }
            }
        }

        /** The value of {@code key} in {@code mapping}, whose line a missing key's error names. */
        private YamlNode required(YamlNode mapping, String key, String prefix, String hint) {
            YamlNode node = mapping.asMap().get(key);
            if (node == null) throw error(mapping, prefix + key, "missing: " + hint);
            return node;
        }

        private String string(YamlNode node, String key) {
            if (node.value() instanceof String s) return s;
            throw error(node, key, "must be a string, got " + (node.value() == null ? "nothing" : node.value()));
        }

        private String where(YamlNode node, String key) {
            return file + ":" + node.line() + ": " + key;
        }

        private InputException error(YamlNode node, String key, String what) {
            return new InputException(where(node, key), what);
        }
    }
}
