/*
 * The library is built twice, for -march=x86-64-v3 and -march=x86-64-v4, and gcc may use the instructions of
 * its level anywhere in it. Java picks the variant from the CPU's flags before loading it; these two functions
 * let it confirm the choice before the first real call, so a wrong pick (a forced variant, a CPU whose flags
 * lie) reports the library unavailable instead of killing the JVM with SIGILL.
 */
#include "amalgam.h"

/* The x86-64 micro-architecture level this copy was compiled for: 4, 3, or 0 for anything else. */
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512CD__) && defined(__AVX512DQ__) \
    && defined(__AVX512VL__)
#define BUILT_FOR_LEVEL 4
#elif defined(__AVX2__) && defined(__FMA__) && defined(__BMI2__)
#define BUILT_FOR_LEVEL 3
#else
#define BUILT_FOR_LEVEL 0
#endif

int amalgam_built_for_level(void) {
    return BUILT_FOR_LEVEL;
}

#if defined(__x86_64__) && defined(__GNUC__)
/*
 * Compiled for the x86-64 baseline so that the check itself runs on any x86-64 CPU. Bit 1: the library needs
 * x86-64-v3 and the CPU lacks it; bit 2: the same for x86-64-v4 (gcc 12 knows both levels by name).
 */
__attribute__((target("arch=x86-64")))
int amalgam_cpu_missing_features(void) {
    int missing = 0;
    __builtin_cpu_init();
    int level = BUILT_FOR_LEVEL;
    if (level >= 3 && !__builtin_cpu_supports("x86-64-v3")) missing |= 1;
    if (level >= 4 && !__builtin_cpu_supports("x86-64-v4")) missing |= 2;
    return missing;
}
#else
int amalgam_cpu_missing_features(void) {
    return 0;
}
#endif
