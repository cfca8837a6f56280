#ifndef PRUNELAB_CPU_FEATURES_H
#define PRUNELAB_CPU_FEATURES_H
// Which wider vector paths the kernels may take on this CPU, decided at run time: a binary built for
// AVX2 and FMA also runs where AVX-512 is missing (or hidden, as valgrind hides it), and a kernel's
// AVX-512 path performs its AVX2 path's operations on twice the lanes, so results never depend on the
// answer (timings do).

/// Whether the CPU and the operating system support AVX-512F, and `PRUNELAB_NO_AVX512` is unset, empty
/// or "0" in the environment (set it to 1 to time the AVX2 paths). Decided once per process.
int prunelab_uses_avx512(void);

#endif
