package amalgam.engine.tokenize;

import java.util.List;

/** Cuts a normalized piece into the words the model tokenizes one by one (tokenizer.json's {@code pre_tokenizer}). */
@FunctionalInterface
interface PreTokenizer {

    PreTokenizer NONE = (piece, out) -> out.add(piece);

    /** Appends the words of {@code piece} to {@code out}; empty words may be appended and are dropped later. */
    void split(Piece piece, List<Piece> out);
}
