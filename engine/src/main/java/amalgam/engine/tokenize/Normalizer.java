package amalgam.engine.tokenize;

/** Rewrites the text between added tokens before it is cut into words (tokenizer.json's {@code normalizer}). */
@FunctionalInterface
interface Normalizer {

    Normalizer IDENTITY = text -> text;

    String normalize(String text);
}
