package amalgam.engine.models.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.engine.DType;
import amalgam.engine.InputException;
import amalgam.engine.Tensor;
import amalgam.engine.hub.JsonConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

/**
 * config.json parsing for the Llama family, rope tables included. The reference values came from transformers
 * 5.17 (LlamaRotaryEmbedding: inv_freq, then cos/sin at positions 0, 3, 37, 1000, 70000 for frequency indices
 * 0, d/2 and d−1 of the d = headDim/2 frequencies), printed once with
 * {@code .venv-peers/bin/python rope_ref.py} where rope_ref.py builds LlamaConfig(hidden_size=H,
 * num_attention_heads=8, rope_parameters=...) for each case below and prints rot.inv_freq and rot(x, pos).
 */
class LlamaConfigTest {

    @TempDir
    Path dir;

    private static final String BASE = """
            "vocab_size": 10, "hidden_size": %d, "intermediate_size": 8, "num_hidden_layers": 1,
            "num_attention_heads": 8, "max_position_embeddings": 131072""";

    private JsonConfig config(int hidden, String more) throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{" + BASE.formatted(hidden) + (more.isEmpty() ? "" : ", " + more) + "}");
        return JsonConfig.read(file);
    }

    private static final int[] POSITIONS = {0, 3, 37, 1000, 70000};

    private static final float[] DEFAULT_INV = {1.0f, 0.3162277638912201f, 0.10000000149011612f, 0.03162277862429619f,
            0.009999999776482582f, 0.003162277862429619f, 0.0010000000474974513f, 0.0003162277862429619f};
    private static final double[][] DEFAULT_COS = {{1.0, 1.0, 1.0}, {-0.9899924993515015, 0.9995500445365906, 0.9999995827674866},
            {0.7654140591621399, 0.9323273301124573, 0.9999315738677979}, {0.5623790621757507, -0.83907151222229, 0.9504152536392212},
            {0.5673539638519287, -0.8391042947769165, -0.989535391330719}};
    private static final double[][] DEFAULT_SIN = {{0.0, 0.0, 0.0}, {0.14112000167369843, 0.029995499178767204, 0.0009486832423135638},
            {-0.6435381174087524, 0.36161544919013977, 0.011700160801410675}, {0.8268795609474182, -0.5440211296081543, 0.3109836280345917},
            {-0.8234740495681763, 0.54397052526474, -0.14429035782814026}};

    private static final float[] LINEAR_INV = {0.25f, 0.07905694097280502f, 0.02500000037252903f, 0.007905694656074047f,
            0.0024999999441206455f, 0.0007905694656074047f, 0.0002500000118743628f, 7.905694656074047e-05f};
    private static final double[][] LINEAR_COS = {{1.0, 1.0, 1.0}, {0.7316888570785522, 0.999971866607666, 1.0},
            {-0.9847651720046997, 0.9957249164581299, 0.9999957084655762}, {0.24098829925060272, -0.8011435866355896, 0.99687659740448},
            {0.2395252287387848, 0.598484218120575, 0.7322344779968262}};
    private static final double[][] LINEAR_SIN = {{0.0, 0.0, 0.0}, {0.681638777256012, 0.007499929517507553, 0.0002371708396822214},
            {0.17388948798179626, 0.09236814826726913, 0.0029251028317958117}, {-0.9705280065536499, 0.5984721183776855, 0.07897461950778961},
            {0.9708901643753052, -0.8011345863342285, -0.6810526251792908}};

    private static final float[] LLAMA3_INV = {1.0f, 0.663601279258728f, 0.44036662578582764f, 0.2922278344631195f,
            0.193922758102417f, 0.12868738174438477f, 0.08539710193872452f, 0.05666961893439293f, 0.03760603070259094f,
            0.02495540864765644f, 0.016560440883040428f, 0.010989529080688953f, 0.00729266507551074f, 0.00483942124992609f,
            0.0032114461064338684f, 0.0013718936825171113f, 0.0005248460220173001f, 0.0001785077911335975f,
            7.784655463183299e-05f, 5.165906986803748e-05f, 3.428102354519069e-05f, 2.2748929040972143e-05f,
            1.5096217794052791e-05f, 1.0017868589784484e-05f, 6.647869668086059e-06f, 4.411534519022098e-06f,
            2.927499735960737e-06f, 1.9426925064180978e-06f, 1.289173155782919e-06f, 8.554969213037111e-07f,
            5.677088097399974e-07f, 3.76732259610435e-07f};
    private static final double[][] LLAMA3_COS = {{1.0, 1.0, 1.0}, {-0.9899924993515015, 0.9999987483024597, 1.0},
            {0.7654140591621399, 0.9998114705085754, 1.0}, {0.5623790621757507, 0.8654010891914368, 0.9999999403953552},
            {0.5673539638519287, 0.5736083388328552, 0.9996523261070251}};
    private static final double[][] LLAMA3_SIN = {{0.0, 0.0, 0.0}, {0.14112000167369843, 0.0015745373675599694, 1.130196778831305e-06},
            {-0.6435381174087524, 0.019418083131313324, 1.3939094060333446e-05}, {0.8268795609474182, 0.5010797381401062, 0.0003767322632484138},
            {-0.8234740495681763, -0.8191297054290771, 0.02636820077896118}};

    private static void assertRope(RopeParameters rope, float[] inv, double[][] cos, double[][] sin) {
        float[] actual = rope.inverseFrequencies();
        assertEquals(inv.length, actual.length);
        for (int i = 0; i < inv.length; i++) {
            assertEquals(inv[i], actual[i], 1e-6 * Math.abs(inv[i]), "inv_freq " + i);
        }
        int half = inv.length;
        int[] index = {0, half / 2, half - 1};
        for (int p = 0; p < POSITIONS.length; p++) {
            Tensor[] tables = rope.tables(DType.F32, POSITIONS[p], 1);
            for (int j = 0; j < index.length; j++) {
                for (int copy : new int[] {index[j], half + index[j]}) {
                    assertEquals(cos[p][j], tables[0].get(0, copy), 1e-6, "cos at " + POSITIONS[p] + ", " + copy);
                    assertEquals(sin[p][j], tables[1].get(0, copy), 1e-6, "sin at " + POSITIONS[p] + ", " + copy);
                }
            }
        }
    }

    private static final String LLAMA3_FIELDS = """
            "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192""";

    @Test
    void ropeTypesInTransformers5Layout() throws IOException {
        assertRope(LlamaConfig.from(config(128, """
                "rope_parameters": {"rope_type": "default", "rope_theta": 10000.0}"""), Variant.LLAMA).rope(),
                DEFAULT_INV, DEFAULT_COS, DEFAULT_SIN);
        assertRope(LlamaConfig.from(config(128, """
                "rope_parameters": {"rope_type": "linear", "rope_theta": 10000.0, "factor": 4.0}"""), Variant.LLAMA).rope(),
                LINEAR_INV, LINEAR_COS, LINEAR_SIN);
        RopeParameters llama3 = LlamaConfig.from(config(512, """
                "rope_parameters": {"rope_type": "llama3", "rope_theta": 500000.0, %s}""".formatted(LLAMA3_FIELDS)),
                Variant.LLAMA).rope();
        assertEquals(new RopeParameters("llama3", 500000, 64, 8, 1, 4, 8192), llama3);
        assertRope(llama3, LLAMA3_INV, LLAMA3_COS, LLAMA3_SIN);
    }

    @Test
    void ropeTypesInTransformers4Layout() throws IOException {
        assertRope(LlamaConfig.from(config(128, ""), Variant.LLAMA).rope(), DEFAULT_INV, DEFAULT_COS, DEFAULT_SIN);
        assertRope(LlamaConfig.from(config(128, "\"rope_theta\": 10000.0, \"rope_scaling\": null"), Variant.LLAMA).rope(),
                DEFAULT_INV, DEFAULT_COS, DEFAULT_SIN);
        assertRope(LlamaConfig.from(config(128, """
                "rope_theta": 10000.0, "rope_scaling": {"type": "linear", "factor": 4.0}"""), Variant.LLAMA).rope(),
                LINEAR_INV, LINEAR_COS, LINEAR_SIN);
        assertRope(LlamaConfig.from(config(512, """
                "rope_theta": 500000.0, "rope_scaling": {"rope_type": "llama3", %s}""".formatted(LLAMA3_FIELDS)),
                Variant.LLAMA).rope(), LLAMA3_INV, LLAMA3_COS, LLAMA3_SIN);
    }

    @Test
    void refusesRopeTypesThatDependOnSequenceLengthByName() throws IOException {
        for (String type : List.of("yarn", "dynamic", "longrope")) {
            InputException e = assertThrows(InputException.class, () -> LlamaConfig.from(config(128, """
                    "rope_scaling": {"type": "%s", "factor": 2.0}""".formatted(type)), Variant.LLAMA));
            assertTrue(e.getMessage().contains("config.json: rope_scaling: 'type'") && e.getMessage().contains("'" + type + "'")
                    && e.getMessage().contains("default, linear, llama3"), e.getMessage());
        }
        InputException e = assertThrows(InputException.class, () -> LlamaConfig.from(config(128, """
                "rope_parameters": {"rope_type": "yarn", "rope_theta": 1e4, "factor": 2.0}"""), Variant.LLAMA));
        assertTrue(e.getMessage().contains("rope_parameters: 'rope_type'"), e.getMessage());
        e = assertThrows(InputException.class, () -> LlamaConfig.from(config(128, """
                "rope_parameters": {"rope_type": "llama3", "rope_theta": 1e4, "factor": 2.0}"""), Variant.LLAMA));
        assertTrue(e.getMessage().contains("'low_freq_factor': missing"), e.getMessage());
        e = assertThrows(InputException.class, () -> LlamaConfig.from(config(128, "\"partial_rotary_factor\": 0.5"),
                Variant.LLAMA));
        assertTrue(e.getMessage().contains("'partial_rotary_factor'"), e.getMessage());
    }

    @Test
    void readsShapesWithTransformersDefaults() throws IOException {
        LlamaConfig c = LlamaConfig.from(config(128, "\"eos_token_id\": [7, 9]"), Variant.LLAMA);
        assertEquals(8, c.kvHeads());
        assertEquals(16, c.headDim());
        assertEquals(1e-6, c.rmsNormEps());
        assertFalse(c.tieWordEmbeddings() || c.qkvBias() || c.outputBias() || c.mlpBias());
        assertEquals(List.of(7, 9), c.eosTokenIds());
        LlamaConfig biased = LlamaConfig.from(config(128, """
                "num_key_value_heads": 2, "head_dim": 32, "attention_bias": true, "mlp_bias": true, "eos_token_id": 3"""),
                Variant.LLAMA);
        assertEquals(2, biased.kvHeads());
        assertEquals(32, biased.headDim());
        assertTrue(biased.qkvBias() && biased.outputBias() && biased.mlpBias());
        assertEquals(List.of(3), biased.eosTokenIds());
    }

    @Test
    void variantsDecideBiasesAndWindow() throws IOException {
        LlamaConfig qwen = LlamaConfig.from(config(128, "\"sliding_window\": 4, \"use_sliding_window\": false"), Variant.QWEN2);
        assertTrue(qwen.qkvBias());
        assertFalse(qwen.outputBias() || qwen.mlpBias());
        assertEquals(OptionalInt.empty(), qwen.slidingWindow());
        assertEquals(OptionalInt.of(4096), LlamaConfig.from(config(128, ""), Variant.MISTRAL).slidingWindow());
        assertEquals(OptionalInt.empty(), LlamaConfig.from(config(128, "\"sliding_window\": null"), Variant.MISTRAL).slidingWindow());
        LlamaConfig mistral = LlamaConfig.from(config(128, "\"sliding_window\": 4, \"attention_bias\": true"), Variant.MISTRAL);
        assertFalse(mistral.qkvBias() || mistral.outputBias());
        mistral.checkWindow(4);
        InputException e = assertThrows(InputException.class, () -> mistral.checkWindow(5));
        assertTrue(e.getMessage().contains("config.json: 'sliding_window'"), e.getMessage());
    }

    @Test
    void refusesOtherActivationsAndBadHeads() throws IOException {
        InputException e = assertThrows(InputException.class,
                () -> LlamaConfig.from(config(128, "\"hidden_act\": \"gelu\""), Variant.LLAMA));
        assertTrue(e.getMessage().contains("config.json: 'hidden_act'") && e.getMessage().contains("gelu"), e.getMessage());
        e = assertThrows(InputException.class,
                () -> LlamaConfig.from(config(128, "\"num_key_value_heads\": 3"), Variant.LLAMA));
        assertTrue(e.getMessage().contains("'num_key_value_heads'"), e.getMessage());
    }

    /** Values that load but make every output NaN or nonsense are refused by name (they used to run). */
    @Test
    void refusesANegativeEpsilonAndANonPositiveRopeTheta() throws IOException {
        for (String field : new String[] {"\"rms_norm_eps\": -1", "\"rope_theta\": 0", "\"rope_theta\": -10000"}) {
            InputException e = assertThrows(InputException.class, () -> LlamaConfig.from(config(128, field), Variant.LLAMA));
            String key = field.substring(1, field.indexOf('"', 1));
            assertTrue(e.getMessage().contains("config.json: '" + key + "'"), e.getMessage());
        }
    }

    @Test
    void tablesRepeatEachFrequencyPerHalf() throws IOException {
        Tensor[] t = LlamaConfig.from(config(128, ""), Variant.LLAMA).rope().tables(DType.F64, 5, 3);
        assertArrayEquals(new int[] {3, 16}, t[0].shape());
        for (int i = 0; i < 8; i++) assertEquals(t[1].get(2, i), t[1].get(2, i + 8));
        assertEquals(Math.cos(7 * DEFAULT_INV[1]), t[0].get(2, 1), 1e-7);
    }
}
