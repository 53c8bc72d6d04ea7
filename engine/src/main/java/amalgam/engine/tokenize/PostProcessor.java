package amalgam.engine.tokenize;

/**
 * Adds the special tokens around an encoded text (tokenizer.json's {@code post_processor}), as encode does when
 * asked to add special tokens.
 */
@FunctionalInterface
interface PostProcessor {

    PostProcessor NONE = ids -> ids;

    int[] addSpecialTokens(int[] ids);
}
