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

    @Test
    void catastrophicBacktrackingAndDeepRecursionEndInOneLineNamingTheKey() {
        ModulePatterns<Integer> backtracking = new ModulePatterns<>();
        backtracking.add("((a+)+)+b", 1, "adapter_config.json: rank_pattern");
        InputException slow = assertThrows(InputException.class,
                () -> backtracking.lookup("model." + "a".repeat(40) + "c"));
        assertEquals(true, slow.getMessage().startsWith("adapter_config.json: rank_pattern: key '((a+)+)+b'"),
                slow.getMessage());
        ModulePatterns<Integer> recursive = new ModulePatterns<>();
        recursive.add("(x|y)*", 1, "adapter_config.json: rank_pattern");
        InputException deep = assertThrows(InputException.class, () -> recursive.lookup("xy".repeat(200_000)));
        assertEquals(true, deep.getMessage().contains("'(x|y)*'"), deep.getMessage());
    }

    @Test
    void manyPlainKeysAreLookedUpBySuffixNotScanned() {
        ModulePatterns<Integer> patterns = new ModulePatterns<>();
        for (int i = 0; i < 250_000; i++) patterns.add("layers\\." + i + "\\.q_proj", i, "test");
        patterns.add("q_proj", -1, "test");
        // 20,000 modules against 250,001 keys: a scan would make five billion comparisons.
        for (int m = 0; m < 20_000; m++) {
            assertEquals(m, patterns.lookup("model.layers." + m + ".q_proj").orElseThrow().value());
        }
        assertEquals(-1, patterns.lookup("model.layers.x.q_proj").orElseThrow().value());
    }
}
