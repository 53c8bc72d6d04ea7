package amalgam.engine.models.vit;

import amalgam.engine.TestFixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** fixtures/hf/vit-*: the checkpoint directory and the cases of its expected.json (made by transformers and PEFT). */
record VitFixture(Path directory, List<Case> cases) {

    /** One image through the HF image processor and model, optionally with adapters attached. */
    record Case(String image, List<String> adapters, int[] pixelShape, float[] pixelValues, float[] logits,
            String label) {}

    static VitFixture load(String name) {
        Path dir = TestFixtures.path("hf", name);
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(dir.resolve("expected.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Case> cases = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            List<String> adapters = new ArrayList<>();
            c.get("adapters").forEach(a -> adapters.add(a.asText()));
            int[] shape = new int[c.get("pixel_shape").size()];
            for (int i = 0; i < shape.length; i++) shape[i] = c.get("pixel_shape").get(i).asInt();
            cases.add(new Case(c.get("image").asText(), List.copyOf(adapters), shape, floats(c.get("pixel_values")),
                    floats(c.get("logits")), c.get("label").asText()));
        }
        return new VitFixture(dir, List.copyOf(cases));
    }

    Case only(String image, List<String> adapters) {
        return cases.stream().filter(c -> c.image().equals(image) && c.adapters().equals(adapters)).findFirst()
                .orElseThrow(() -> new AssertionError("no case " + image + " " + adapters + " in " + directory));
    }

    private static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = (float) array.get(i).asDouble();
        return out;
    }

    /** max|a − b| / max|b|, the relative error the conformance tests bound. */
    static double relativeError(float[] actual, float[] expected) {
        if (actual.length != expected.length) throw new AssertionError(actual.length + " values, expected " + expected.length);
        double diff = 0, scale = 0;
        for (int i = 0; i < actual.length; i++) {
            diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        return diff / scale;
    }

    static double maxAbsDifference(float[] actual, float[] expected) {
        if (actual.length != expected.length) throw new AssertionError(actual.length + " values, expected " + expected.length);
        double diff = 0;
        for (int i = 0; i < actual.length; i++) diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
        return diff;
    }

    static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
        return best;
    }
}
