package amalgam.merge.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The parameter declarations: canonical types, range checks and the messages that name what is wrong. */
class MethodParameterTest {

    @Test
    void valuesComeOutInTheirCanonicalTypes() {
        assertEquals(0.5, MethodParameter.DENSITY.parse(0.5));
        assertEquals(1.0, MethodParameter.WEIGHT.parse(1));            // YAML's integer 1 is a weight of 1.0
        assertEquals(0.001, MethodParameter.WEIGHT.parse("1e-3"));     // YAML reads 1e-3 as a string
        assertEquals(16L, MethodParameter.RANK.parse(16));
        assertEquals("frequency", MethodParameter.MAJORITY_SIGN.parse("Frequency"));
        assertEquals(true, MethodParameter.NORMALIZE.parse(true));
    }

    @Test
    void wrongTypesAndRangesSayWhatWasExpected() {
        assertMessage("must be a number, got 'high'", () -> MethodParameter.DENSITY.parse("high"));
        assertMessage("[0, 1]", () -> MethodParameter.DENSITY.parse(1.5));
        assertMessage("NaN", () -> MethodParameter.WEIGHT.parse(Double.NaN));
        assertMessage("must be a whole number, got 2.5", () -> MethodParameter.RANK.parse(2.5));
        assertMessage("at least 1", () -> MethodParameter.CLUSTERS.parse(0));
        assertMessage("must be true or false, got 'yes please'", () -> MethodParameter.NORMALIZE.parse("yes please"));
        assertMessage("expected one of total, frequency", () -> MethodParameter.MAJORITY_SIGN.parse("most"));
        assertMessage("got a list", () -> MethodParameter.LAMBDA.parse(List.of(1, 2)));
        assertMessage("got a mapping", () -> MethodParameter.LAMBDA.parse(Map.of()));
    }

    @Test
    void onlyWeightAndDensityVaryByAdapter() {
        for (MethodParameter p : MethodParameter.values()) {
            assertEquals(p == MethodParameter.WEIGHT || p == MethodParameter.DENSITY, p.perAdapter(), p.key());
            assertEquals(p, MethodParameter.fromKey(p.key()).orElseThrow());
        }
        assertEquals(MethodParameter.DENSITY, MethodParameter.fromKey("select_topk").orElseThrow(), "mergekit's sce");
    }

    @Test
    void everyMethodButSceTakesAWeightAndTaskArithmeticIsLinear() {
        // SCE weighs each adapter by its share of the selected energy, so a user weight has no place.
        for (MergeMethod m : MergeMethod.values()) {
            assertEquals(m != MergeMethod.SCE, m.takes(MethodParameter.WEIGHT), m.cliName());
        }
        assertEquals(MergeMethod.LINEAR, MergeMethod.fromName("task_arithmetic"));
        assertEquals(MergeMethod.LINEAR, MergeMethod.fromName("task_arithmetic_svd"));
    }

    private static void assertMessage(String part, org.junit.jupiter.api.function.Executable parse) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, parse);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
