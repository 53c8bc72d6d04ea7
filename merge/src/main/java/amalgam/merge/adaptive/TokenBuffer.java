package amalgam.merge.adaptive;

import amalgam.engine.Tensor;
import amalgam.engine.models.CausalLanguageModel;
import amalgam.engine.ops.CrossEntropy;

import java.util.List;

/**
 * Token sequences for a causal language model, scored by next-token cross-entropy on chosen positions: every
 * token of a plain text, or only a completion's tokens after its prompt. Sequences of different lengths are
 * padded on the right into one batch; causal attention keeps padding from reaching earlier positions, and
 * padded positions are not scored, so the loss is what each sequence alone would give, averaged over every
 * scored token of the buffer (as transformers' causal-LM loss averages over non-ignored labels).
 */
public final class TokenBuffer implements Buffer {

    /** One sequence: its token ids, and the index of the first token whose prediction is scored (≥ 1). */
    public record Sequence(int[] ids, int firstScored) {
        public Sequence {
            if (ids.length < 2) throw new IllegalArgumentException("a scored sequence needs at least 2 tokens");
            if (firstScored < 1 || firstScored >= ids.length) {
                throw new IllegalArgumentException("first scored token " + firstScored + " not in [1, " + ids.length + ")");
            }
        }

        /** Every token after the first is predicted from the ones before it. */
        public static Sequence allTokens(int[] ids) {
            return new Sequence(ids, 1);
        }
    }

    /**
     * Padded positions per part: the logits of 512 positions over a 49,152-token vocabulary are 100 MB, and each
     * layer's activations a few MB more; a SmolLM2-135M coefficient step of 16 × 64 tokens then runs in two parts.
     * {@code -Damalgam.buffer.positions=N} changes it (more memory for fewer, larger GEMMs).
     */
    static final int POSITIONS_PER_PART = Integer.getInteger("amalgam.buffer.positions", 512);

    private final CausalLanguageModel model;
    private final List<Sequence> source;
    private final int[][] ids;
    private final int[] targets; // per position of the flattened batch: the next token, or IGNORE
    private final int sequences;

    public TokenBuffer(CausalLanguageModel model, List<Sequence> sequences) {
        if (sequences.isEmpty()) throw new IllegalArgumentException("a buffer needs at least one sequence");
        this.model = model;
        this.source = List.copyOf(sequences);
        this.sequences = sequences.size();
        int length = sequences.stream().mapToInt(s -> s.ids().length).max().orElseThrow();
        ids = new int[sequences.size()][length];
        targets = new int[sequences.size() * length];
        java.util.Arrays.fill(targets, CrossEntropy.IGNORE);
        for (int b = 0; b < ids.length; b++) {
            Sequence s = sequences.get(b);
            System.arraycopy(s.ids(), 0, ids[b], 0, s.ids().length); // padding with token 0 is never scored
            // Position t predicts token t + 1.
            for (int t = s.firstScored() - 1; t < s.ids().length - 1; t++) targets[b * length + t] = s.ids()[t + 1];
        }
    }

    @Override
    public int size() {
        return sequences;
    }

    /** Tokens whose prediction the loss scores. */
    public int scoredTokens() {
        int n = 0;
        for (int t : targets) if (t != CrossEntropy.IGNORE) n++;
        return n;
    }

    @Override
    public int terms() {
        return scoredTokens();
    }

    @Override
    public TokenBuffer slice(int from, int to) {
        return new TokenBuffer(model, source.subList(from, to));
    }

    @Override
    public int examplesPerPart() {
        return Math.max(1, POSITIONS_PER_PART / ids[0].length);
    }

    @Override
    public Tensor loss() {
        Tensor logits = model.logits(ids); // [batch, length, vocab]
        return CrossEntropy.crossEntropy(logits.reshape(targets.length, logits.dim(2)), targets);
    }
}
