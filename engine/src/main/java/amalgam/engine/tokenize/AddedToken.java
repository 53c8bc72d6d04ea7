package amalgam.engine.tokenize;

/**
 * One entry of tokenizer.json's {@code added_tokens}: text matched in the input before the model sees it and
 * mapped straight to its id. {@code normalized} tokens are matched in the normalized text, the others in the raw
 * input; {@code singleWord} ones only where no word character touches them; {@code lstrip}/{@code rstrip} ones
 * swallow the white space beside them.
 */
record AddedToken(int id, String content, boolean special, boolean singleWord, boolean lstrip, boolean rstrip,
        boolean normalized) {

    static AddedToken fromJson(ConfigNode node) {
        int id = node.integer("id");
        if (id < 0) throw node.error("id must be non-negative, found " + id);
        String content = node.string("content");
        if (content.isEmpty()) throw node.error("content is empty");
        return new AddedToken(id, content, node.bool("special", false), node.bool("single_word", false),
                node.bool("lstrip", false), node.bool("rstrip", false), node.bool("normalized", true));
    }
}
