package amalgam.merge.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Copies JCuda's natives jar keeping only the driver API's JNI library. The full jar (26 MB unpacked) is mostly
 * libJNvPTXCompiler, which we never load: the CUDA backend uses the driver API alone. JCuda finds its library
 * as the class-path resource {@code /lib/libJCudaDriver-VERSION-linux-x86_64.so} and extracts it to a temporary
 * file, so the kept entry keeps its exact name and place.
 */
final class JCudaNatives {

    private JCudaNatives() {}

    /** True for the jar this class trims (the linux-x86_64 natives of any JCuda version). */
    static boolean isNativesJar(Path jar) {
        String name = jar.getFileName().toString();
        return name.startsWith("jcuda-natives-") && name.endsWith(".jar");
    }

    /** True for the entries the bundle needs: everything but the native libraries other than the driver's. */
    static boolean keeps(String entryName) {
        if (!entryName.startsWith("lib/") || !entryName.endsWith(".so")) return true;
        return entryName.startsWith("lib/libJCudaDriver-") && entryName.endsWith("-linux-x86_64.so");
    }

    /** Writes the trimmed copy of {@code source} to {@code target}; fails if the driver library is not in it. */
    static void copyTrimmed(Path source, Path target) throws IOException {
        boolean driverFound = false;
        try (ZipFile in = new ZipFile(source.toFile());
             OutputStream file = Files.newOutputStream(target);
             ZipOutputStream out = new ZipOutputStream(file)) {
            for (Enumeration<? extends ZipEntry> entries = in.entries(); entries.hasMoreElements(); ) {
                ZipEntry entry = entries.nextElement();
                if (!keeps(entry.getName())) continue;
                driverFound |= entry.getName().startsWith("lib/libJCudaDriver-");
                out.putNextEntry(new ZipEntry(entry.getName()));
                try (InputStream data = in.getInputStream(entry)) {
                    data.transferTo(out);
                }
                out.closeEntry();
            }
        }
        if (!driverFound) {
            throw new IOException(source + ": no lib/libJCudaDriver-*-linux-x86_64.so inside; the CUDA backend could not load");
        }
    }
}
