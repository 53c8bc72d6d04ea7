package amalgam.merge.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JCudaNativesTest {

    @TempDir
    Path temp;

    @Test
    void keepsTheDriverLibraryAndTheMetadataOnly() throws IOException {
        Path source = jar("jcuda-natives-12.6.0-linux-x86_64.jar",
                "META-INF/MANIFEST.MF", "lib/libJCudaDriver-12.6.0-linux-x86_64.so",
                "lib/libJNvPTXCompiler-12.6.0-linux-x86_64.so", "lib/libJNvrtc-12.6.0-linux-x86_64.so",
                "lib/libJCudaRuntime-12.6.0-linux-x86_64.so", "META-INF/maven/org.jcuda/jcuda-natives/pom.xml");
        Path target = temp.resolve("trimmed.jar");

        JCudaNatives.copyTrimmed(source, target);

        try (ZipFile zip = new ZipFile(target.toFile())) {
            List<String> names = zip.stream().map(ZipEntry::getName).toList();
            assertEquals(List.of("META-INF/MANIFEST.MF", "lib/libJCudaDriver-12.6.0-linux-x86_64.so",
                    "META-INF/maven/org.jcuda/jcuda-natives/pom.xml"), names);
            // The content travels unchanged: JCuda extracts and loads exactly these bytes.
            byte[] driver = zip.getInputStream(zip.getEntry("lib/libJCudaDriver-12.6.0-linux-x86_64.so")).readAllBytes();
            assertArrayEquals(contentOf("lib/libJCudaDriver-12.6.0-linux-x86_64.so"), driver);
        }
    }

    @Test
    void refusesAJarWithoutTheDriverLibrary() throws IOException {
        Path source = jar("jcuda-natives-12.6.0-windows-x86_64.jar", "lib/JCudaDriver-12.6.0-windows-x86_64.dll");
        IOException failure = assertThrows(IOException.class,
                () -> JCudaNatives.copyTrimmed(source, temp.resolve("trimmed.jar")));
        assertTrue(failure.getMessage().contains("libJCudaDriver"), failure.getMessage());
    }

    @Test
    void recognisesOnlyTheNativesJar() {
        assertTrue(JCudaNatives.isNativesJar(Path.of("lib/jcuda-natives-12.6.0-linux-x86_64.jar")));
        assertFalse(JCudaNatives.isNativesJar(Path.of("lib/jcuda-12.6.0.jar")));
        assertFalse(JCudaNatives.keeps("lib/libJNvPTXCompiler-12.6.0-linux-x86_64.so"));
        assertTrue(JCudaNatives.keeps("lib/libJCudaDriver-12.6.0-linux-x86_64.so"));
        assertTrue(JCudaNatives.keeps("META-INF/MANIFEST.MF"));
    }

    private Path jar(String name, String... entries) throws IOException {
        Path jar = temp.resolve(name);
        try (OutputStream file = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(file)) {
            for (String entry : entries) {
                zip.putNextEntry(new ZipEntry(entry));
                zip.write(contentOf(entry));
                zip.closeEntry();
            }
        }
        return jar;
    }

    private static byte[] contentOf(String entry) {
        return ("content of " + entry).getBytes(StandardCharsets.UTF_8);
    }
}
