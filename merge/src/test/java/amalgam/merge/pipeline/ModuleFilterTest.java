package amalgam.merge.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which modules a config's filter entries pick: name parts as mergekit matches them, half-open layer ranges. */
class ModuleFilterTest {

    @Test
    void theLayerIsTheFirstAllDigitPartOfTheName() {
        assertEquals(12, ModuleFilter.layerOf("model.layers.12.mlp.up_proj"));
        assertEquals(3, ModuleFilter.layerOf("vit.encoder.layer.3.attention.attention.query"));
        assertEquals(0, ModuleFilter.layerOf("transformer.h.0.attn.c_attn"));
        assertNull(ModuleFilter.layerOf("model.embed_tokens"));
        assertNull(ModuleFilter.layerOf("model.layers.q1.proj"), "digits inside a part are not a layer");
    }

    @Test
    void layerRangesExcludeTheirEndAndNamePartsNarrowThem() {
        ModuleFilter firstTwo = new ModuleFilter(null, 0, 2);
        List<String> modules = List.of("model.layers.0.self_attn.q_proj", "model.layers.1.mlp.up_proj",
                "model.layers.2.self_attn.q_proj", "model.embed_tokens");
        assertEquals(List.of(true, true, false, false), modules.stream().map(firstTwo::matches).toList());
        ModuleFilter attentionOfFirstTwo = new ModuleFilter("self_attn", 0, 2);
        assertEquals(List.of(true, false, false, false), modules.stream().map(attentionOfFirstTwo::matches).toList());
        assertTrue(ModuleFilter.ALL.matches("anything"));
        assertFalse(new ModuleFilter("mlp", null, null).matches("model.layers.0.self_attn.q_proj"));
    }

    @Test
    void theFirstMatchingEntryGivesTheValue() {
        ParameterValue density = new ParameterValue(List.of(
                new ParameterValue.Entry(new ModuleFilter("self_attn", null, null), 0.3, "a"),
                new ParameterValue.Entry(new ModuleFilter(null, 0, 4), 0.6, "b"),
                new ParameterValue.Entry(ModuleFilter.ALL, 0.5, "c")));
        assertEquals(0.3, density.forModule("model.layers.1.self_attn.v_proj").orElseThrow().value());
        assertEquals(0.6, density.forModule("model.layers.1.mlp.up_proj").orElseThrow().value());
        assertEquals(0.5, density.forModule("model.layers.7.mlp.up_proj").orElseThrow().value());
        assertTrue(density.isFiltered());
        assertFalse(ParameterValue.of(0.5, "d").isFiltered());
    }
}
