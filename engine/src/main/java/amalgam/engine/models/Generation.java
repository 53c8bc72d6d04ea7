package amalgam.engine.models;

import amalgam.engine.Engine;
import amalgam.engine.Step;
import amalgam.engine.Tensor;

import java.util.Arrays;
import java.util.List;

/** The decoding loop: prefill the prompts into the cache, then one token per row and step, until eos. */
public final class Generation {

    private Generation() {}

    /** What a caller sees of each step as it happens: streaming output, the prompt's last logits. */
    @FunctionalInterface
    public interface Listener {
        /**
         * Step {@code step} computed {@code logits} [batch][vocab] of the last position so far and chose
         * {@code tokens} (one per row; a row already finished repeats its last token and is not extended).
         */
        void step(int step, float[][] logits, int[] tokens);
    }

    public static int[][] generate(CausalLanguageModel model, int[][] prompts, int maxNewTokens, Sampler sampler) {
        return generate(model, prompts, maxNewTokens, sampler, (step, logits, tokens) -> { });
    }

    public static int[][] generate(CausalLanguageModel model, int[][] prompts, int maxNewTokens, Sampler sampler,
            Listener listener) {
        int batch = prompts.length, length = prompts[0].length;
        for (int[] p : prompts) {
            if (p.length != length || length == 0) {
                throw new IllegalArgumentException("prompts must be non-empty and of equal length (no padding), got "
                        + Arrays.toString(Arrays.stream(prompts).mapToInt(r -> r.length).toArray()));
            }
        }
        if (maxNewTokens < 0) throw new IllegalArgumentException("maxNewTokens must be ≥ 0, got " + maxNewTokens);
        List<Integer> eos = model.eosTokenIds();
        int[][] out = new int[batch][maxNewTokens];
        int[] produced = new int[batch];
        boolean[] done = new boolean[batch];
        try (var _ = Engine.noGrad()) {
            Decoding decoding = model.startDecoding(batch, length + maxNewTokens);
            int[][] input = prompts;
            for (int step = 0; step < maxNewTokens; step++) {
                float[][] rows;
                try (Step _ = Engine.step()) {
                    Tensor logits = decoding.next(input);
                    rows = rows(logits);
                }
                int[][] nextInput = new int[batch][1];
                boolean all = true;
                for (int b = 0; b < batch; b++) {
                    if (done[b]) { // a finished row keeps feeding its last token; its output is ignored
                        nextInput[b][0] = out[b][produced[b] - 1];
                        continue;
                    }
                    int token = sampler.choose(rows[b]);
                    nextInput[b][0] = token;
                    out[b][produced[b]++] = token;
                    done[b] = eos.contains(token);
                    all &= done[b];
                }
                int[] chosen = new int[batch];
                for (int b = 0; b < batch; b++) chosen[b] = nextInput[b][0];
                listener.step(step, rows, chosen);
                if (all || step == maxNewTokens - 1) break;
                input = nextInput;
            }
        }
        int[][] trimmed = new int[batch][];
        for (int b = 0; b < batch; b++) trimmed[b] = Arrays.copyOf(out[b], produced[b]);
        return trimmed;
    }

    private static float[][] rows(Tensor logits) {
        int batch = logits.dim(0), vocab = logits.dim(1);
        float[] all = logits.toFloatArray();
        float[][] rows = new float[batch][];
        for (int b = 0; b < batch; b++) rows[b] = Arrays.copyOfRange(all, b * vocab, (b + 1) * vocab);
        return rows;
    }
}
