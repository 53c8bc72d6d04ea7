package amalgam.merge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundle carries the evidence script and its peers, runnable, and leaves the tests behind. */
class EvidenceScriptsTest {

    @TempDir
    Path temp;

    @Test
    void copiesTheScriptsWithTheLauncherExecutable() throws IOException {
        Path gpu = Files.createDirectories(temp.resolve("tree").resolve(EvidenceScripts.SOURCE));
        for (String name : List.of("evidence.sh", "torch_peers.py", "evidence_table.py", "evidence_table_test.py")) {
            Files.writeString(gpu.resolve(name), "# " + name + "\n");
        }
        Files.createDirectories(gpu.resolve("__pycache__"));
        Path target = temp.resolve("bundle").resolve(BundleLayout.EVIDENCE);
        List<String> copied = EvidenceScripts.copy(temp.resolve("tree"), target);
        assertEquals(List.of("evidence.sh", "evidence_table.py", "torch_peers.py"), copied);
        assertTrue(Files.isExecutable(target.resolve("evidence.sh")));
        assertEquals("# torch_peers.py\n", Files.readString(target.resolve("torch_peers.py")));
        assertFalse(Files.exists(target.resolve("evidence_table_test.py")));
    }

    @Test
    void theProjectsOwnScriptsAreThere() throws IOException {
        Path home = Path.of("..").toAbsolutePath().normalize();
        List<String> copied = EvidenceScripts.copy(home, temp.resolve("evidence"));
        assertTrue(copied.containsAll(List.of("evidence.sh", "evidence_table.py", "torch_peers.py")), copied.toString());
    }

    @Test
    void aTreeWithoutThemIsAnError() {
        IOException e = assertThrows(IOException.class, () -> EvidenceScripts.copy(temp, temp.resolve("out")));
        assertTrue(e.getMessage().contains("bench/gpu is missing"), e.getMessage());
    }
}
