package amalgam.merge.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.engine.InputException;
import amalgam.engine.io.FileDType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdapterCompatibilityTest {

    @TempDir
    Path dir;

    @Test
    void unionOfModulesWithDifferentRanks() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Path x = new TestAdapters(arena, 1).linear("m.q", 2, 5, 6).linear("m.v", 2, 5, 3)
                    .write(dir.resolve("x"), TestAdapters.config(2, 2), FileDType.F32);
            Path y = new TestAdapters(arena, 2).linear("m.q", 4, 5, 6).linear("m.k", 4, 5, 3)
                    .write(dir.resolve("y"), TestAdapters.config(4, 4), FileDType.F32);
            try (LoraAdapter a = LoraAdapter.open(x); LoraAdapter b = LoraAdapter.open(y)) {
                SortedSet<String> union = AdapterCompatibility.moduleUnion(List.of(a, b));
                assertEquals(List.of("m.k", "m.q", "m.v"), List.copyOf(union));
            }
        }
    }

    @Test
    void shapesThatDifferAreNamed() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Path x = new TestAdapters(arena, 1).linear("m.q", 2, 5, 6)
                    .write(dir.resolve("x"), TestAdapters.config(2, 2), FileDType.F32);
            Path y = new TestAdapters(arena, 2).linear("m.q", 2, 5, 7)
                    .write(dir.resolve("y"), TestAdapters.config(2, 2), FileDType.F32);
            try (LoraAdapter a = LoraAdapter.open(x); LoraAdapter b = LoraAdapter.open(y)) {
                InputException e = assertThrows(InputException.class,
                        () -> AdapterCompatibility.moduleUnion(List.of(a, b)));
                assertTrue(e.getMessage().startsWith(y + ": module 'm.q' is linear 7x5 but linear 6x5 in " + x),
                        e.getMessage());
            }
        }
    }
}
