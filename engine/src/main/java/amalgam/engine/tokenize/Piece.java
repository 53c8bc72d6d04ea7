package amalgam.engine.tokenize;

/**
 * A stretch of normalized text on its way to the model. {@code atStart} says whether it begins at the start of
 * the input: Metaspace's "first" prepend scheme adds its ▁ only there, not after an added token.
 */
record Piece(String text, boolean atStart) {}
