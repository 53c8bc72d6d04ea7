package amalgam.engine.tokenize;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The decoder types of tokenizer.json, each a few lines, and the one switch that reads them. */
final class Decoders {

    private Decoders() {}

    /** Null where the file has no decoder: the tokens are then joined with spaces. */
    static Decoder fromJson(ConfigNode node) {
        if (node == null) return null;
        return switch (node.type()) {
            case "Sequence" -> sequence(node.array("decoders").stream().map(Decoders::fromJson).toList());
            case "ByteLevel" -> Decoders::byteLevel;
            case "Replace" -> replace(TextPattern.fromJson(node.requiredObject("pattern")), node.string("content"));
            case "ByteFallback" -> Decoders::byteFallback;
            case "Fuse" -> tokens -> List.of(String.join("", tokens));
            case "Strip" -> strip(node.character("content"), node.integer("start", 0), node.integer("stop", 0));
            case "Metaspace" -> metaspace(node.character("replacement"), PreTokenizers.PrependScheme.fromJson(node));
            case "BPEDecoder" -> bpeSuffix(node.string("suffix", "</w>"));
            case "WordPiece" -> wordPiece(node.string("prefix", "##"), node.bool("cleanup", true));
            default -> throw node.unsupported("decoder");
        };
    }

    static Decoder sequence(List<Decoder> steps) {
        return tokens -> {
            for (Decoder step : steps) tokens = step.decodeChain(tokens);
            return tokens;
        };
    }

    /** All tokens' bytes as one UTF-8 text; bytes that are not valid UTF-8 become U+FFFD. */
    static List<String> byteLevel(List<String> tokens) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (String token : tokens) ByteLevelAlphabet.appendBytes(token, bytes);
        return List.of(bytes.toString(StandardCharsets.UTF_8));
    }

    static Decoder replace(TextPattern pattern, String content) {
        return tokens -> tokens.stream().map(t -> pattern.replaceAll(t, content)).toList();
    }

    /**
     * Runs of byte tokens ({@code <0xE4>}) become the text they spell; a run that is not valid UTF-8 becomes one
     * U+FFFD per byte, as in the reference.
     */
    static List<String> byteFallback(List<String> tokens) {
        List<String> out = new ArrayList<>(tokens.size());
        ByteArrayOutputStream run = new ByteArrayOutputStream();
        for (String token : tokens) {
            int b = byteToken(token);
            if (b >= 0) {
                run.write(b);
                continue;
            }
            flushBytes(run, out);
            out.add(token);
        }
        flushBytes(run, out);
        return out;
    }

    private static int byteToken(String token) {
        if (token.length() != 6 || !token.startsWith("<0x") || token.charAt(5) != '>') return -1;
        int high = Character.digit(token.charAt(3), 16);
        int low = Character.digit(token.charAt(4), 16);
        return high < 0 || low < 0 ? -1 : high * 16 + low;
    }

    private static void flushBytes(ByteArrayOutputStream run, List<String> out) {
        if (run.size() == 0) return;
        byte[] bytes = run.toByteArray();
        run.reset();
        var decoder = StandardCharsets.UTF_8.newDecoder();
        try {
            out.add(decoder.decode(java.nio.ByteBuffer.wrap(bytes)).toString());
        } catch (java.nio.charset.CharacterCodingException e) {
            for (int i = 0; i < bytes.length; i++) out.add("\ufffd");
        }
    }

    /** Removes up to {@code start} leading and {@code stop} trailing copies of {@code content} from each token. */
    static Decoder strip(String content, int start, int stop) {
        int c = content.codePointAt(0);
        return tokens -> tokens.stream().map(token -> {
            int[] cps = token.codePoints().toArray();
            int from = 0;
            while (from < Math.min(start, cps.length) && cps[from] == c) from++;
            int to = cps.length;
            while (cps.length - to < stop && to > from && cps[to - 1] == c) to--;
            return new String(cps, from, to - from);
        }).toList();
    }

    /**
     * ▁ back to spaces; in the first token every ▁ goes (not only a leading one), a quirk of the reference that
     * the fixtures pin down, unless the scheme never prepends.
     */
    static Decoder metaspace(String replacement, PreTokenizers.PrependScheme scheme) {
        return tokens -> {
            List<String> out = new ArrayList<>(tokens.size());
            for (int i = 0; i < tokens.size(); i++) {
                String with = i == 0 && scheme != PreTokenizers.PrependScheme.NEVER ? "" : " ";
                out.add(tokens.get(i).replace(replacement, with));
            }
            return out;
        };
    }

    /** The end-of-word suffix becomes a space, except after the last token. */
    static Decoder bpeSuffix(String suffix) {
        return tokens -> {
            List<String> out = new ArrayList<>(tokens.size());
            for (int i = 0; i < tokens.size(); i++) {
                out.add(tokens.get(i).replace(suffix, i == tokens.size() - 1 ? "" : " "));
            }
            return out;
        };
    }

    /** Tokens without the prefix start a new word (after a space); with cleanup, spaces before punctuation go. */
    static Decoder wordPiece(String prefix, boolean cleanup) {
        return tokens -> {
            List<String> out = new ArrayList<>(tokens.size());
            for (int i = 0; i < tokens.size(); i++) {
                String token = tokens.get(i);
                if (i != 0) token = token.startsWith(prefix) ? token.substring(prefix.length()) : " " + token;
                out.add(cleanup ? cleanUpTokenization(token) : token);
            }
            return out;
        };
    }

    /** The reference's (and transformers') clean_up_tokenization, in its order. */
    private static String cleanUpTokenization(String text) {
        return text.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",")
                .replace(" ' ", "'").replace(" n't", "n't").replace(" 'm", "'m").replace(" do not", " don't")
                .replace(" 's", "'s").replace(" 've", "'ve").replace(" 're", "'re");
    }
}
