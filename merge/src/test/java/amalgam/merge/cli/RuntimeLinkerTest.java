package amalgam.merge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RuntimeLinkerTest {

    @Test
    void readsTheModuleListAfterJdepsWarnings() {
        String output = """
                Warning: split package: picocli file:///a/picocli.jar picocli.jar
                java.base,java.desktop,java.management,java.sql,jdk.incubator.vector,jdk.unsupported
                """;
        assertEquals(List.of("java.base", "java.desktop", "java.management", "java.sql", "jdk.incubator.vector",
                "jdk.unsupported"), List.copyOf(RuntimeLinker.parseModuleList(output)));
    }

    @Test
    void rejectsOutputThatIsNotAModuleList() {
        assertThrows(IllegalStateException.class, () -> RuntimeLinker.parseModuleList("Error: no such file x.jar"));
        assertThrows(IllegalStateException.class, () -> RuntimeLinker.parseModuleList(""));
    }

    @Test
    void addedAndDroppedModulesDoNotOverlap() {
        assertTrue(RuntimeLinker.ADDED.containsAll(Set.of("jdk.incubator.vector", "java.management")));
        assertFalse(RuntimeLinker.ADDED.stream().anyMatch(RuntimeLinker.DROPPED::contains));
    }
}
