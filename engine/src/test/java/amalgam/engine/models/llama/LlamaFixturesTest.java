package amalgam.engine.models.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.engine.Engine;
import amalgam.engine.NoGrad;
import amalgam.engine.Tensor;
import amalgam.engine.TestFixtures;
import amalgam.engine.hub.Checkpoint;
import amalgam.engine.models.Architectures;
import amalgam.engine.models.CausalLanguageModel;
import amalgam.engine.models.HfFixture;
import amalgam.engine.models.Sampler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Logits and greedy generations against transformers (fixtures/hf/*, expected.json), base and with PEFT
 * adapters (one, several at once, merged), and KV-cached decoding against a full recompute.
 */
class LlamaFixturesTest {

    @ParameterizedTest
    @CsvSource({"llama-f32, 1e-4", "qwen2-bf16, 2e-3", "mistral-f32-sharded, 1e-4", "llama-bf16-tf4config, 2e-3"})
    void matchesTransformers(String fixture, double tolerance) throws IOException {
        Path dir = TestFixtures.path("hf", fixture);
        double worst = 0;
        for (HfFixture.Case c : HfFixture.cases(dir)) {
            CausalLanguageModel model = Architectures.loadCausalLanguageModel(dir);
            Set<String> modules = new LinkedHashSet<>();
            for (String adapter : c.adapters()) {
                modules.addAll(HfFixture.attachPeft(model.module(), dir.resolve("adapters").resolve(adapter), adapter));
            }
            if (c.merged()) {
                for (String m : modules) model.module().linear(m).merge();
            }
            try (NoGrad _ = Engine.noGrad(); var _ = Engine.step()) {
                Tensor logits = model.logits(new int[][] {c.inputIds()});
                assertArrayEquals(new int[] {1, c.inputIds().length, model.vocabSize()}, logits.shape());
                double error = HfFixture.relativeError(logits, c.logits());
                System.out.printf("%s %s: max relative logit error %.3g%n", fixture, c.name(), error);
                assertTrue(error <= tolerance, fixture + " " + c.name() + ": relative error " + error);
                worst = Math.max(worst, error);
            }
            int[][] generated = model.generate(new int[][] {c.inputIds()}, c.generatedIds().length, Sampler.greedy());
            assertArrayEquals(c.generatedIds(), generated[0], fixture + " " + c.name() + ": greedy generation");
        }
        System.out.printf("%s: worst case %.3g%n", fixture, worst);
    }

    @Test
    void batchedGenerationMatchesEachRowAndStopsAtEos() throws IOException {
        Path dir = TestFixtures.path("hf", "llama-f32");
        HfFixture.Case base = HfFixture.cases(dir).getFirst();
        int[] forward = base.inputIds(), reversed = new int[forward.length];
        for (int i = 0; i < forward.length; i++) reversed[i] = forward[forward.length - 1 - i];
        int stop = base.generatedIds()[2];
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            LlamaConfig config = LlamaConfig.from(checkpoint.config(), Variant.LLAMA).withEosTokenIds(List.of(stop));
            LlamaForCausalLM model = new LlamaForCausalLM("LlamaForCausalLM", config, checkpoint);
            int[][] both = model.generate(new int[][] {forward, reversed}, 6, Sampler.greedy());
            assertArrayEquals(Arrays.copyOf(base.generatedIds(), 3), both[0], "stops after the eos token, keeping it");
            assertArrayEquals(model.generate(new int[][] {reversed}, 6, Sampler.greedy())[0], both[1]);
            int[][] sampled = model.generate(new int[][] {forward}, 6, Sampler.sampling(0.8, 0.9, 42));
            assertArrayEquals(sampled[0], model.generate(new int[][] {forward}, 6, Sampler.sampling(0.8, 0.9, 42))[0]);
        }
    }

    @ParameterizedTest
    @CsvSource({"llama-f32", "qwen2-bf16", "mistral-f32-sharded", "llama-bf16-tf4config"})
    void cachedDecodingEqualsFullRecompute(String fixture) throws IOException {
        Path dir = TestFixtures.path("hf", fixture);
        LlamaForCausalLM model = (LlamaForCausalLM) Architectures.load(dir);
        int[] ids = HfFixture.cases(dir).getFirst().inputIds();
        int prefill = 5, tokens = 16, vocab = model.vocabSize();
        int[][] batch = new int[2][tokens];
        for (int t = 0; t < tokens; t++) {
            batch[0][t] = ids[t];
            batch[1][t] = ids[ids.length - 1 - t];
        }
        try (NoGrad _ = Engine.noGrad()) {
            float[] full = model.logits(batch).toFloatArray();
            KvCache cache = model.newCache(2, tokens);
            for (int start = 0; start < tokens; start = cache.length()) {
                int n = start == 0 ? prefill : 1;
                int[][] step = new int[2][n];
                for (int b = 0; b < 2; b++) System.arraycopy(batch[b], start, step[b], 0, n);
                float[] cached = model.logits(step, cache).toFloatArray();
                for (int b = 0; b < 2; b++) {
                    for (int t = 0; t < n; t++) {
                        for (int v = 0; v < vocab; v++) {
                            float expected = full[(b * tokens + start + t) * vocab + v];
                            assertEquals(expected, cached[(b * n + t) * vocab + v], 1e-5 * Math.max(1, Math.abs(expected)),
                                    "row " + b + " position " + (start + t) + " token " + v);
                        }
                    }
                }
            }
            assertEquals(tokens, cache.length());
        }
    }
}
