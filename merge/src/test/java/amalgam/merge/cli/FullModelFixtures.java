package amalgam.merge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.engine.io.FileDType;
import amalgam.engine.io.SafetensorsFile;
import amalgam.engine.io.TensorInfo;
import amalgam.merge.algorithms.LowRankUpdate;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the full-model tests read back: the tensors of a model directory (one file or shards), the update an
 * adapter's factors make, computed here in double, and the logits {@code amalgam run} prints.
 */
final class FullModelFixtures {

    static final Path HF = RunCommandTest.HF;
    private static final ObjectMapper JSON = new ObjectMapper();

    private FullModelFixtures() {}

    /** Every tensor of a model directory by name, with the file that holds it (callers close them). */
    static Map<String, SafetensorsFile> tensors(Path model, List<SafetensorsFile> opened) throws IOException {
        Map<String, SafetensorsFile> byName = new TreeMap<>();
        try (var files = java.nio.file.Files.list(model)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".safetensors")).sorted().toList()) {
                SafetensorsFile file = SafetensorsFile.open(p);
                opened.add(file);
                for (TensorInfo t : file.tensors()) byName.put(t.name(), file);
            }
        }
        return byName;
    }

    static float[] floats(SafetensorsFile file, String name) {
        try (Arena arena = Arena.ofConfined()) {
            TensorInfo t = file.tensor(name).orElseThrow();
            return file.load(t, arena).toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT);
        }
    }

    /**
     * Σ w_i · s_i B_i A_i of one module in double, row-major out × in, or in × out when {@code transposed}
     * (how PEFT adds it to a Conv1D or an Embedding table).
     */
    static double[] delta(List<LowRankUpdate> updates, double[] weights, boolean transposed) {
        double[] sum = MergeRuns.weightedSum(updates, weights);
        if (!transposed) return sum;
        int out = updates.getFirst().outFeatures(), in = updates.getFirst().inFeatures();
        double[] t = new double[sum.length];
        for (int i = 0; i < out; i++) {
            for (int j = 0; j < in; j++) t[j * out + i] = sum[i * in + j];
        }
        return t;
    }

    /**
     * Asserts {@code actual} is W + ΔW rounded to {@code dtype}: within half a unit in the last place of that type
     * (round to nearest), plus {@code slack} times the largest |W + ΔW| for the fp32 arithmetic before it.
     */
    static void assertFolded(float[] base, double[] delta, float[] actual, FileDType dtype, double slack, String what) {
        assertEquals(base.length, actual.length, what);
        double scale = 0;
        for (int i = 0; i < base.length; i++) scale = Math.max(scale, Math.abs(base[i] + delta[i]));
        int dropped = switch (dtype) {
            case BF16 -> 16;
            case F16 -> 13;
            default -> 0;
        };
        int changed = 0;
        for (int i = 0; i < base.length; i++) {
            double expected = base[i] + delta[i];
            double halfUlp = 0.5 * Math.ulp((float) expected) * (1 << dropped);
            double error = Math.abs(actual[i] - expected);
            assertTrue(error <= halfUlp + slack * scale, what + " element " + i + ": " + actual[i] + ", expected "
                    + expected + " (W " + base[i] + " + ΔW " + delta[i] + ")");
            if (actual[i] != base[i]) changed++;
        }
        assertTrue(changed > base.length / 2, what + ": only " + changed + " of " + base.length + " elements changed");
    }

    /** {@code amalgam run --json} on a prompt: the last position's logits. */
    static double[] textLogits(Path model, List<Path> adapters) throws IOException {
        List<String> args = new ArrayList<>(List.of("run", "--model", model.toString(), "--threads", "2",
                "--text", "Licensed under the Apache License 1234", "--max-new-tokens", "1", "--json"));
        for (Path a : adapters) args.addAll(List.of("--adapter", a.toString()));
        return logits(args, "last_logits");
    }

    /** {@code amalgam run --json} on an image: the class logits. */
    static double[] imageLogits(Path model, Path image, List<Path> adapters) throws IOException {
        List<String> args = new ArrayList<>(List.of("run", "--model", model.toString(), "--image", image.toString(),
                "--json"));
        for (Path a : adapters) args.addAll(List.of("--adapter", a.toString()));
        return logits(args, "logits");
    }

    private static double[] logits(List<String> args, String field) throws IOException {
        MergeRuns.Run run = MergeRuns.run(args.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.err());
        JsonNode result = JSON.readTree(run.out());
        return RunCommandTest.doubles(result.get(field));
    }

    /** Asserts two logit vectors agree within {@code relative} of the larger's largest magnitude, and differ from {@code other}. */
    static void assertSameLogits(double[] expected, double[] actual, double relative, String what) {
        assertEquals(expected.length, actual.length, what);
        double scale = 0, error = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            error = Math.max(error, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(error <= relative * scale, what + ": max difference " + error + " of logits up to " + scale);
    }

    static double maxDifference(double[] a, double[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
        return d;
    }
}
