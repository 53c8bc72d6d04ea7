package amalgam.merge.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** DELLA is mergekit's method, so its ε defaults to mergekit's 0.15 (it was 0.05), under either semantics. */
class DellaEpsilonDefaultTest {

    @ParameterizedTest
    @ValueSource(strings = {"della", "della_linear"})
    void epsilonDefaultsToMergekits(String method) {
        for (String semantics : new String[] {"peft", "mergekit"}) {
            MergeOptions options = new MergeOptions();
            options.method = method;
            options.density = java.util.List.of(0.5);
            options.semantics = semantics;
            assertEquals(0.15, MergePlan.of(options, 2).settings().epsilon(), method + " " + semantics);
        }
        MergeOptions given = new MergeOptions();
        given.method = method;
        given.epsilon = 0.05;
        assertEquals(0.05, MergePlan.of(given, 2).settings().epsilon());
    }
}
