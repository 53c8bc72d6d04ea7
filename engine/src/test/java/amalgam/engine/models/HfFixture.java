package amalgam.engine.models;

import amalgam.engine.DType;
import amalgam.engine.Tensor;
import amalgam.engine.hub.JsonConfig;
import amalgam.engine.io.SafetensorsFile;
import amalgam.engine.io.TensorInfo;
import amalgam.engine.nn.Module;
import amalgam.kernels.FloatSegments;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A model directory of fixtures/hf with its expected.json (transformers' logits and greedy generations), and a
 * minimal PEFT reader for its adapters/ (merge/ has the real one; the engine's tests cannot depend on it).
 */
public final class HfFixture {

    /** One case of expected.json: the adapters active at once (merged or not), a prompt and the outputs. */
    public record Case(String name, List<String> adapters, boolean merged, int[] inputIds, float[][] logits,
            int[] generatedIds) {}

    private HfFixture() {}

    public static List<Case> cases(Path model) throws IOException {
        JsonNode root = new ObjectMapper().readTree(model.resolve("expected.json").toFile());
        List<Case> out = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            List<String> adapters = new ArrayList<>();
            c.get("adapters").forEach(a -> adapters.add(a.textValue()));
            JsonNode rows = c.get("logits");
            float[][] logits = new float[rows.size()][];
            for (int t = 0; t < logits.length; t++) {
                logits[t] = new float[rows.get(t).size()];
                for (int v = 0; v < logits[t].length; v++) logits[t][v] = rows.get(t).get(v).floatValue();
            }
            out.add(new Case(c.get("name").textValue(), adapters, c.get("merged").booleanValue(), ints(c.get("input_ids")),
                    logits, ints(c.get("generated_ids"))));
        }
        return out;
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).intValue();
        return out;
    }

    /**
     * Attaches the PEFT adapter in {@code adapterDir} as {@code name} to every module it names; returns those
     * module paths. Scaling as PEFT computes it: α/r or α/√r (use_rslora), with rank_pattern and alpha_pattern
     * keys matched against the module path as PEFT matches them.
     */
    public static Set<String> attachPeft(Module model, Path adapterDir, String name) {
        JsonConfig config = JsonConfig.read(adapterDir.resolve("adapter_config.json"));
        int r = config.positive("r");
        double alpha = config.number("lora_alpha");
        boolean rs = config.flag("use_rslora", false);
        Map<String, TensorInfo[]> factors = new TreeMap<>();
        Set<String> modules = new LinkedHashSet<>();
        try (SafetensorsFile file = SafetensorsFile.open(adapterDir.resolve("adapter_model.safetensors"))) {
            for (TensorInfo t : file.tensors()) {
                String key = t.name().substring("base_model.model.".length());
                boolean isA = key.endsWith(".lora_A.weight");
                String module = key.substring(0, key.length() - ".lora_A.weight".length());
                factors.computeIfAbsent(module, m -> new TensorInfo[2])[isA ? 0 : 1] = t;
            }
            for (Map.Entry<String, TensorInfo[]> e : factors.entrySet()) {
                String module = e.getKey();
                int rank = (int) pattern(config, "rank_pattern", module, r);
                double moduleAlpha = pattern(config, "alpha_pattern", module, alpha);
                double scaling = rs ? moduleAlpha / Math.sqrt(rank) : moduleAlpha / rank;
                model.attachLora(module, name, read(file, e.getValue()[0]), read(file, e.getValue()[1]), scaling);
                modules.add(module);
            }
        }
        return modules;
    }

    /** The value of the first key of a PEFT pattern map that matches the module path, else the fallback. */
    private static double pattern(JsonConfig config, String key, String module, double fallback) {
        JsonNode patterns = config.node().get(key);
        if (patterns == null) return fallback;
        for (Map.Entry<String, JsonNode> p : patterns.properties()) {
            if (Pattern.compile("(.*\\.)?(" + p.getKey() + ")$").matcher(module).matches()) {
                return p.getValue().doubleValue();
            }
        }
        return fallback;
    }

    private static Tensor read(SafetensorsFile file, TensorInfo info) {
        MemorySegment data = FloatSegments.allocate(Arena.ofAuto(), info.elementCount());
        file.readInto(info, data, 0);
        int[] shape = new int[info.rank()];
        for (int i = 0; i < shape.length; i++) shape[i] = Math.toIntExact(info.dim(i));
        return Tensor.wrap(DType.F32, data, shape);
    }

    /** max|a − b| / max|b| over all positions and the vocabulary. */
    public static double relativeError(Tensor actual, float[][] expected) {
        float[] a = actual.toFloatArray();
        double maxDiff = 0, maxRef = 0;
        int vocab = expected[0].length;
        for (int t = 0; t < expected.length; t++) {
            for (int v = 0; v < vocab; v++) {
                maxDiff = Math.max(maxDiff, Math.abs(a[t * vocab + v] - expected[t][v]));
                maxRef = Math.max(maxRef, Math.abs(expected[t][v]));
            }
        }
        return maxDiff / maxRef;
    }
}
