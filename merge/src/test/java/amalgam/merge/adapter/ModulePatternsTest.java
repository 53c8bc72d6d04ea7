package amalgam.merge.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import amalgam.engine.InputException;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Plain keys are matched as text without a regex; the answers must be exactly the regex rule's. */
class ModulePatternsTest {

    private static final List<String> MODULES = List.of("model.layers.0.self_attn.q_proj", "model.layers.10.q_proj",
            "q_proj", "xq_proj", "model.xq_proj", "layers.0.q_proj.extra", "model.layers.0.q_proj", "", "a.b");

    @Test
    void plainKeysAnswerAsTheirRegexWould() {
        for (String key : List.of("q_proj", "layers\\.0\\.q_proj", "model\\.layers\\.0\\.self_attn\\.q_proj", "b",
                "a\\.b", "proj", ModulePatterns.exactKey("model.layers.10.q_proj"))) {
            ModulePatterns<Integer> patterns = new ModulePatterns<>();
            patterns.add(key, 1, "test");
            Pattern regex = Pattern.compile("(.*\\.)?(" + key + ")$");
            for (String module : MODULES) {
                assertEquals(regex.matcher(module).matches(), patterns.lookup(module).isPresent(),
                        key + " on " + module);
            }
        }
    }

    @Test
    void firstMatchingKeyWinsAcrossPlainAndRegexKeys() {
        ModulePatterns<Integer> patterns = new ModulePatterns<>();
        patterns.add("layers\\.1[0-9]\\..*", 2, "test");
        patterns.add("q_proj", 3, "test");
        assertEquals(2, patterns.lookup("model.layers.10.q_proj").orElseThrow().value());
        assertEquals(3, patterns.lookup("model.layers.0.q_proj").orElseThrow().value());
    }

    @Test
    void tooManyRegexKeysAreRefusedButPlainKeysAreNotCounted() {
        ModulePatterns<Integer> patterns = new ModulePatterns<>();
        for (int i = 0; i < 5000; i++) patterns.add("layers\\." + i + "\\.q_proj", 1, "test");
        for (int i = 0; i < ModulePatterns.MAX_REGEX_KEYS; i++) patterns.add("l" + i + ".*", 1, "test");
        InputException e = assertThrows(InputException.class, () -> patterns.add("x.*", 1, "cfg: rank_pattern"));
        assertEquals("cfg: rank_pattern: more than " + ModulePatterns.MAX_REGEX_KEYS
                + " regular-expression keys; list module names instead", e.getMessage());
    }
}
