package amalgam.engine.tokenize;

import static amalgam.engine.InputException.quote;

import java.util.ArrayList;
import java.util.List;

/** The pre-tokenizer types of tokenizer.json, each a few lines, and the one switch that reads them. */
final class PreTokenizers {

    /** GPT-2's word pattern, which ByteLevel applies when its use_regex is on (the default). */
    static final TextPattern GPT2_WORDS = TextPattern.regex(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");
    private static final TextPattern BERT_WORDS = TextPattern.regex("\\w+|[^\\w\\s]+");
    private static final TextPattern WHITE_SPACE = TextPattern.regex("\\s+");
    /** Rust's ASCII punctuation (which counts $+<=>^`|~, Unicode symbols) and Unicode's punctuation categories. */
    private static final TextPattern PUNCTUATION = TextPattern.regex("[\\p{P}!-/:-@\\[-`{-~]");
    private static final TextPattern DIGIT = TextPattern.regex("\\p{N}");
    private static final TextPattern DIGITS = TextPattern.regex("\\p{N}+");

    private PreTokenizers() {}

    static PreTokenizer fromJson(ConfigNode node) {
        if (node == null) return PreTokenizer.NONE;
        return switch (node.type()) {
            case "Sequence" -> sequence(node.array("pretokenizers").stream().map(PreTokenizers::fromJson).toList());
            case "Split" -> split(TextPattern.fromJson(node.requiredObject("pattern")),
                    node.bool("invert", false), SplitBehavior.fromJson(node, "behavior"));
            case "ByteLevel" -> byteLevel(node.bool("add_prefix_space", true), node.bool("use_regex", true));
            case "Metaspace" -> metaspace(node.character("replacement"), PrependScheme.fromJson(node), node.bool("split", true));
            case "Digits" -> split(node.bool("individual_digits", false) ? DIGIT : DIGITS, false,
                    SplitBehavior.ISOLATED);
            case "Whitespace" -> split(BERT_WORDS, true, SplitBehavior.REMOVED);
            case "WhitespaceSplit" -> split(WHITE_SPACE, false, SplitBehavior.REMOVED);
            case "Punctuation" -> split(PUNCTUATION, false,
                    node.has("behavior") ? SplitBehavior.fromJson(node, "behavior") : SplitBehavior.ISOLATED);
            case "BertPreTokenizer" -> sequence(List.of(split(WHITE_SPACE, false, SplitBehavior.REMOVED),
                    split(PUNCTUATION, false, SplitBehavior.ISOLATED)));
            default -> throw node.unsupported("pre_tokenizer");
        };
    }

    /** Each step runs over every word of the step before; empty words vanish between steps, as in the reference. */
    static PreTokenizer sequence(List<PreTokenizer> steps) {
        return (piece, out) -> {
            List<Piece> words = List.of(piece);
            for (PreTokenizer step : steps) {
                List<Piece> next = new ArrayList<>();
                for (Piece word : words) if (!word.text().isEmpty()) step.split(word, next);
                words = next;
            }
            out.addAll(words);
        };
    }

    static PreTokenizer split(TextPattern pattern, boolean invert, SplitBehavior behavior) {
        return (piece, out) -> cut(piece, pattern, invert, behavior, out);
    }

    static PreTokenizer byteLevel(boolean addPrefixSpace, boolean useRegex) {
        return (piece, out) -> {
            String text = addPrefixSpace && !piece.text().startsWith(" ") ? " " + piece.text() : piece.text();
            List<Piece> words = new ArrayList<>();
            if (useRegex) cut(new Piece(text, piece.atStart()), GPT2_WORDS, false, SplitBehavior.ISOLATED, words);
            else words.add(new Piece(text, piece.atStart()));
            for (Piece word : words) out.add(new Piece(ByteLevelAlphabet.encode(word.text()), word.atStart()));
        };
    }

    enum PrependScheme {
        ALWAYS, FIRST, NEVER;

        /** Files older than prepend_scheme say add_prefix_space instead: true meant always, false never. */
        static PrependScheme fromJson(ConfigNode node) {
            if (!node.has("prepend_scheme")) return node.bool("add_prefix_space", true) ? ALWAYS : NEVER;
            String name = node.string("prepend_scheme");
            return switch (name) {
                case "always" -> ALWAYS;
                case "first" -> FIRST;
                case "never" -> NEVER;
                default -> throw node.error("prepend_scheme " + quote(name) + " is not always, first or never");
            };
        }
    }

    /** Spaces become the replacement (▁), which may also start the piece and, with split, start each word. */
    static PreTokenizer metaspace(String replacement, PrependScheme scheme, boolean split) {
        TextPattern marker = TextPattern.literal(replacement);
        return (piece, out) -> {
            String text = piece.text().replace(" ", replacement);
            boolean prepend = scheme == PrependScheme.ALWAYS || (scheme == PrependScheme.FIRST && piece.atStart());
            if (prepend && !text.startsWith(replacement)) text = replacement + text;
            Piece replaced = new Piece(text, piece.atStart());
            if (split) cut(replaced, marker, false, SplitBehavior.MERGED_WITH_NEXT, out);
            else out.add(replaced);
        };
    }

    private static void cut(Piece piece, TextPattern pattern, boolean invert, SplitBehavior behavior,
            List<Piece> out) {
        String text = piece.text();
        for (int[] range : behavior.apply(pattern.spans(text, invert))) {
            if (range[1] > range[0]) {
                out.add(new Piece(text.substring(range[0], range[1]), piece.atStart() && range[0] == 0));
            }
        }
    }
}
