/*
 * -march=native lets gcc use every instruction set of the build machine, anywhere in the library. A jar
 * built on one machine may run on another, where those instructions would kill the JVM with SIGILL, so
 * Java asks this function before its first real call and reports the library unavailable instead.
 */
#include "amalgam.h"

#if defined(__x86_64__) && defined(__GNUC__)
/* Compiled for the x86-64 baseline so that the check itself runs on any x86-64 CPU. */
__attribute__((target("arch=x86-64")))
int amalgam_cpu_missing_features(void) {
    int missing = 0;
    __builtin_cpu_init();
#ifdef __AVX__
    if (!__builtin_cpu_supports("avx")) missing |= 1;
#endif
#ifdef __AVX2__
    if (!__builtin_cpu_supports("avx2")) missing |= 2;
#endif
#ifdef __FMA__
    if (!__builtin_cpu_supports("fma")) missing |= 4;
#endif
#ifdef __AVX512F__
    if (!__builtin_cpu_supports("avx512f")) missing |= 8;
#endif
#ifdef __AVX512BW__
    if (!__builtin_cpu_supports("avx512bw")) missing |= 16;
#endif
#ifdef __AVX512VL__
    if (!__builtin_cpu_supports("avx512vl")) missing |= 32;
#endif
#ifdef __AVX512DQ__
    if (!__builtin_cpu_supports("avx512dq")) missing |= 64;
#endif
#ifdef __BMI2__
    if (!__builtin_cpu_supports("bmi2")) missing |= 128;
#endif
    return missing;
}
#else
int amalgam_cpu_missing_features(void) {
    return 0;
}
#endif
