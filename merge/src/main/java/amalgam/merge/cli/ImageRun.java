package amalgam.merge.cli;

import amalgam.engine.Engine;
import amalgam.engine.InputException;
import amalgam.engine.NoGrad;
import amalgam.engine.Step;
import amalgam.engine.models.ImageClassifier;
import amalgam.engine.models.LoadedModel;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/** {@code amalgam run --image}: the top labels of an image classifier, as a table or one JSON object. */
final class ImageRun {

    private ImageRun() {}

    static void run(LoadedModel loaded, Path modelDir, Path image, int top, boolean json, PrintWriter out)
            throws Exception {
        if (!(loaded instanceof ImageClassifier classifier)) {
            throw new InputException("--image", modelDir + " holds a " + loaded.architecture()
                    + ", not an image classifier: give it --text");
        }
        float[] logits;
        try (NoGrad _ = Engine.noGrad(); Step _ = Engine.step()) {
            logits = classifier.logits(classifier.pixels(image)).toFloatArray();
        }
        double[] probabilities = softmax(logits);
        List<String> labels = classifier.labels();
        List<Integer> order = IntStream.range(0, logits.length).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -logits[i])).limit(top).toList();
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode result = mapper.createObjectNode();
            result.set("logits", mapper.valueToTree(logits));
            result.put("label", labels.get(order.getFirst()));
            ArrayNode best = result.putArray("top");
            for (int i : order) best.addObject().put("label", labels.get(i)).put("probability", probabilities[i]);
            out.println(mapper.writeValueAsString(result));
        } else {
            for (int i : order) out.println(String.format(Locale.ROOT, "%6.2f %%  %s", 100 * probabilities[i], labels.get(i)));
        }
        out.flush();
    }

    private static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float v : logits) max = Math.max(max, v);
        double[] p = new double[logits.length];
        for (int i = 0; i < p.length; i++) sum += p[i] = Math.exp(logits[i] - max);
        for (int i = 0; i < p.length; i++) p[i] /= sum;
        return p;
    }
}
