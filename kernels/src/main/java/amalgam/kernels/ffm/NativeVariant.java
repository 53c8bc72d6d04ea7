package amalgam.kernels.ffm;

import java.util.List;
import java.util.Set;

/**
 * The builds of the C library packaged in the kernels jar, one per x86-64 micro-architecture level, best last.
 * Each names the {@code /proc/cpuinfo} flags its {@code -march} level lets gcc use anywhere in the library.
 */
public enum NativeVariant {

    /** AVX2, FMA, BMI1/2, F16C, LZCNT, MOVBE (and the v2 baseline): Haswell, Zen 1 and everything since. */
    X86_64_V3("x86-64-v3", 3, List.of("ssse3", "sse4_1", "sse4_2", "popcnt", "cx16", "avx", "avx2", "fma",
            "bmi1", "bmi2", "f16c", "abm", "movbe", "xsave")),
    /** x86-64-v3 plus AVX-512 F, BW, CD, DQ and VL: Skylake-SP, Ice Lake, Zen 4, Zen 5. */
    X86_64_V4("x86-64-v4", 4, List.of("ssse3", "sse4_1", "sse4_2", "popcnt", "cx16", "avx", "avx2", "fma",
            "bmi1", "bmi2", "f16c", "abm", "movbe", "xsave",
            "avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"));

    private final String march;
    private final int level;
    private final List<String> requiredFlags;

    NativeVariant(String march, int level, List<String> requiredFlags) {
        this.march = march;
        this.level = level;
        this.requiredFlags = requiredFlags;
    }

    /** The gcc {@code -march} value it was built with, also the name users force it by. */
    public String march() {
        return march;
    }

    /** What {@code amalgam_built_for_level()} of this build returns. */
    int level() {
        return level;
    }

    /** The class-path resource holding this build. */
    String resource() {
        return "/amalgam/native/linux-x86_64/libamalgam-" + march + ".so";
    }

    /** The flags of this level that {@code cpuFlags} lacks; empty when the CPU can run this build. */
    List<String> missingFrom(Set<String> cpuFlags) {
        return requiredFlags.stream().filter(flag -> !cpuFlags.contains(flag)).toList();
    }

    /** The flags this level adds to the one below it (what a user would look for in /proc/cpuinfo). */
    List<String> addedFlags() {
        if (ordinal() == 0) return requiredFlags;
        List<String> below = values()[ordinal() - 1].requiredFlags;
        return requiredFlags.stream().filter(flag -> !below.contains(flag)).toList();
    }

    /** The variant a user named, or null. */
    static NativeVariant byMarch(String march) {
        for (NativeVariant variant : values()) if (variant.march.equals(march)) return variant;
        return null;
    }
}
