package amalgam.kernels.ffm;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The choice of C library build from CPU flags of machines these tests may never run on. */
class NativeVariantChoiceTest {

    /** Trimmed /proc/cpuinfo flags of a Zen 3 EPYC (AVX2, no AVX-512). */
    static final Set<String> ZEN3 = flags("fpu sse sse2 ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt xsave avx f16c"
            + " abm bmi1 avx2 bmi2");
    /** The same plus what Zen 4/5 add. */
    static final Set<String> ZEN5 = Stream.concat(ZEN3.stream(),
            Stream.of("avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl", "avx512vbmi")).collect(Collectors.toSet());

    @Test
    void anAvx512CpuGetsV4AndAnAvx2CpuV3() {
        NativeVariantChoice zen5 = NativeVariantChoice.choose(null, "-Dx", ZEN5);
        assertEquals(List.of(NativeVariant.X86_64_V4), zen5.candidates());
        assertEquals("the CPU has avx512f avx512bw avx512cd avx512dq avx512vl", zen5.reason());
        NativeVariantChoice zen3 = NativeVariantChoice.choose(null, "-Dx", ZEN3);
        assertEquals(List.of(NativeVariant.X86_64_V3), zen3.candidates());
        assertTrue(zen3.reason().contains("lacks avx512f avx512bw avx512cd avx512dq avx512vl for x86-64-v4"),
                zen3.reason());
    }

    @Test
    void oneMissingAvx512PartIsEnoughToFallBack() {
        Set<String> noVl = ZEN5.stream().filter(flag -> !flag.equals("avx512vl")).collect(Collectors.toSet());
        assertEquals(List.of(NativeVariant.X86_64_V3), NativeVariantChoice.choose(null, "-Dx", noVl).candidates());
    }

    @Test
    void aCpuWithoutAvx2GetsNoneAndIsToldWhy() {
        Set<String> sandyBridge = ZEN3.stream().filter(flag -> !flag.equals("avx2") && !flag.equals("fma"))
                .collect(Collectors.toSet());
        NativeVariantChoice choice = NativeVariantChoice.choose(null, "-Dx", sandyBridge);
        assertEquals(List.of(), choice.candidates());
        assertEquals("the C kernels need at least x86-64-v3 and this CPU lacks avx2 fma", choice.reason());
    }

    @Test
    void forcingV3OnAnAvx512CpuIsObeyed() {
        NativeVariantChoice choice = NativeVariantChoice.choose("x86-64-v3", "-Damalgam.native.isa", ZEN5);
        assertEquals(List.of(NativeVariant.X86_64_V3), choice.candidates());
        assertEquals("forced by -Damalgam.native.isa=x86-64-v3", choice.reason());
    }

    @Test
    void forcingV4WhereTheCpuLacksItIsRefusedNotLoaded() {
        NativeVariantChoice choice = NativeVariantChoice.choose("x86-64-v4", "AMALGAM_NATIVE_ISA", ZEN3);
        assertEquals(List.of(), choice.candidates());
        assertEquals("AMALGAM_NATIVE_ISA=x86-64-v4 but this CPU lacks avx512f avx512bw avx512cd avx512dq avx512vl",
                choice.reason());
    }

    @Test
    void forcingAnUnknownNameListsTheKnownOnes() {
        NativeVariantChoice choice = NativeVariantChoice.choose("avx2", "-Damalgam.native.isa", ZEN5);
        assertEquals(List.of(), choice.candidates());
        assertEquals("-Damalgam.native.isa=avx2 names no build; use one of x86-64-v3, x86-64-v4", choice.reason());
    }

    @Test
    void unreadableFlagsTryEveryBuildBestFirst() {
        assertEquals(List.of(NativeVariant.X86_64_V4, NativeVariant.X86_64_V3),
                NativeVariantChoice.choose(null, "-Dx", null).candidates());
    }

    @Test
    void flagsAreReadFromTheFirstProcessorOfCpuinfo() throws IOException {
        Path cpuinfo = Files.createTempFile("cpuinfo", "");
        try {
            Files.writeString(cpuinfo, "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu avx2 avx2\n\n"
                    + "processor\t: 1\nflags\t\t: fpu avx512f\n");
            assertEquals(Set.of("fpu", "avx2"), NativeVariantChoice.cpuFlags(cpuinfo));
            assertNull(NativeVariantChoice.cpuFlags(cpuinfo.resolveSibling("no-such-cpuinfo")));
        } finally {
            Files.delete(cpuinfo);
        }
    }

    private static Set<String> flags(String line) {
        return Set.of(line.split(" "));
    }
}
