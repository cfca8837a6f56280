#ifndef PRUNELAB_CBLAS_SHIM_H
#define PRUNELAB_CBLAS_SHIM_H
// OpenBLAS's CBLAS interface (Debian: /usr/include/x86_64-linux-gnu/cblas.h via libopenblas-dev).
#include <cblas.h>

/// A hint to the CPU inside a spin-wait loop (x86 PAUSE): saves power and lets the sibling
/// hyper-thread run.
static inline void prunelab_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}
#endif
