package amalgam.engine.tokenize;

import static amalgam.engine.InputException.quote;

import java.util.List;

/**
 * The post-processor types of tokenizer.json and the one switch that reads them. Only the single-sequence
 * template matters here: pairs are not encoded, and offsets (what ByteLevel's trim_offsets changes) are not kept.
 */
final class PostProcessors {

    private PostProcessors() {}

    static PostProcessor fromJson(ConfigNode node) {
        if (node == null) return PostProcessor.NONE;
        return switch (node.type()) {
            case "Sequence" -> sequence(node.array("processors").stream().map(PostProcessors::fromJson).toList());
            case "ByteLevel" -> PostProcessor.NONE;
            case "TemplateProcessing" -> template(node);
            case "BertProcessing", "RobertaProcessing" -> around(specialId(node, "cls"), specialId(node, "sep"));
            default -> throw node.unsupported("post_processor");
        };
    }

    static PostProcessor sequence(List<PostProcessor> steps) {
        return ids -> {
            for (PostProcessor step : steps) ids = step.addSpecialTokens(ids);
            return ids;
        };
    }

    /**
     * The {@code single} template: a list of {@code {"SpecialToken": {"id": "<s>"}}} and {@code {"Sequence": {"id":
     * "A"}}} items; a special token's ids come from {@code special_tokens}.
     */
    static PostProcessor template(ConfigNode node) {
        ConfigNode specials = node.requiredObject("special_tokens");
        List<ConfigNode> single = node.array("single");
        int[][] items = new int[single.size()][];
        for (int i = 0; i < items.length; i++) {
            ConfigNode item = single.get(i);
            if (item.has("Sequence")) {
                items[i] = null;
            } else if (item.has("SpecialToken")) {
                String name = item.requiredObject("SpecialToken").string("id");
                ConfigNode special = specials.object(name);
                if (special == null) {
                    throw item.error("SpecialToken " + quote(name) + " is not among the template's special_tokens");
                }
                items[i] = special.array("ids").stream().mapToInt(PostProcessors::id).toArray();
            } else {
                throw item.error("must be a SpecialToken or a Sequence");
            }
        }
        return ids -> {
            IntList out = new IntList(ids.length + items.length);
            for (int[] item : items) out.addAll(item == null ? ids : item);
            return out.toArray();
        };
    }

    private static int id(ConfigNode node) {
        if (!node.json().canConvertToInt() || !node.json().isIntegralNumber()) throw node.error("must be an integer id");
        return node.json().intValue();
    }

    /** Bert and Roberta store {@code "cls": ["[CLS]", 101]}. */
    private static int specialId(ConfigNode node, String field) {
        List<ConfigNode> pair = node.array(field);
        if (pair.size() != 2) throw node.error(field + " must be [token, id]");
        return id(pair.get(1));
    }

    static PostProcessor around(int first, int last) {
        return ids -> {
            IntList out = new IntList(ids.length + 2);
            out.add(first);
            out.addAll(ids);
            out.add(last);
            return out.toArray();
        };
    }
}
