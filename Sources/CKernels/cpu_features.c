#include "cpu_features.h"

#include <stdlib.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

/// AVX-512F in CPUID leaf 7 and its register state (opmask, upper halves of zmm0–15, zmm16–31) enabled
/// by the operating system in XCR0.
static int detect_avx512(void) {
#if defined(__x86_64__)
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE)) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & bit_AVX512F)) return 0;
    unsigned low, high;
    __asm__("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    if ((low & 0xe6) != 0xe6) return 0;
    const char *opt_out = getenv("PRUNELAB_NO_AVX512");
    return opt_out == NULL || opt_out[0] == '\0' || (opt_out[0] == '0' && opt_out[1] == '\0');
#else
    return 0;
#endif
}

int prunelab_uses_avx512(void) {
    // -1: not decided yet. Threads racing here compute the same answer.
    static int decided = -1;
    int answer = __atomic_load_n(&decided, __ATOMIC_RELAXED);
    if (answer < 0) {
        answer = detect_avx512();
        __atomic_store_n(&decided, answer, __ATOMIC_RELAXED);
    }
    return answer;
}
