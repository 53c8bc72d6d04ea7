package amalgam.engine.tokenize;

import java.util.List;

/**
 * Turns tokens back into text (tokenizer.json's {@code decoder}). As in the reference, each decoder maps a list
 * of token strings to a new list, so that a Sequence can chain them; the final text is the last list joined.
 */
@FunctionalInterface
interface Decoder {

    List<String> decodeChain(List<String> tokens);
}
