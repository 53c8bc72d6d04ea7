package amalgam.kernels.ffm;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The build this JVM loaded is the one the choice named. The kernels' own tests then run on it: surefire runs
 * the ffm tests once more with {@code -Damalgam.native.isa=x86-64-v3} (see kernels/pom.xml), so both builds are
 * exercised on an AVX-512 machine, and the x86-64-v4 one is skipped here, with the reason, on an AVX2 machine.
 */
class NativeLibraryVariantTest {

    @Test
    void bothBuildsArePackagedWhereGccWasPresent() {
        assumeTrue(NativeLibrary.isAvailable(), () -> "native library unavailable: " + NativeLibrary.unavailableReason());
        for (NativeVariant variant : NativeVariant.values()) {
            assertNotNull(NativeLibrary.class.getResource(variant.resource()), variant.resource());
        }
    }

    @Test
    void theForcedBuildIsTheLoadedOne() {
        String forced = System.getProperty(NativeVariantChoice.PROPERTY);
        assumeTrue(forced != null, "no -D" + NativeVariantChoice.PROPERTY + " given to this JVM");
        assumeTrue(NativeLibrary.isAvailable(), () -> "native library unavailable: " + NativeLibrary.unavailableReason());
        assertEquals(forced, NativeLibrary.variant().march());
        assertEquals("forced by -D" + NativeVariantChoice.PROPERTY + "=" + forced,
                NativeLibrary.describe().substring(NativeLibrary.describe().indexOf(": ") + 2));
    }

    @Test
    void anAvx512CpuRunsTheV4BuildUnlessForcedOtherwise() {
        Set<String> flags = NativeVariantChoice.cpuFlags(Path.of("/proc/cpuinfo"));
        assumeTrue(flags != null, "no /proc/cpuinfo to read");
        assumeTrue(NativeVariant.X86_64_V4.missingFrom(flags).isEmpty(), () -> "this CPU lacks "
                + String.join(" ", NativeVariant.X86_64_V4.missingFrom(flags)) + ": the x86-64-v4 build is not"
                + " exercised on this machine");
        assumeTrue(System.getProperty(NativeVariantChoice.PROPERTY) == null
                && System.getenv(NativeVariantChoice.ENVIRONMENT) == null, "a build was forced");
        assumeTrue(NativeLibrary.isAvailable(), () -> "native library unavailable: " + NativeLibrary.unavailableReason());
        assertEquals(NativeVariant.X86_64_V4, NativeLibrary.variant());
    }
}
