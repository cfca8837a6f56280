#ifndef PRUNELAB_GELU_H
#define PRUNELAB_GELU_H
// The engine's GELU, `x·Φ(x)` with Φ from the Abramowitz & Stegun 7.1.26 erfc (1.5e-7 absolute), eight
// (sixteen with AVX-512) lanes at a time with fused multiply-adds. Every path performs the same operations,
// so every element gets the same bits on any path and whatever range a call covers (but for the sign of
// a NaN, which depends on the order in which the compiler passes a product's operands).
#include <stddef.h>

/// `y[i] = GELU(x[i])` for `i < count`, on the widest path this build and CPU have; `y` may be `x`.
void prunelab_gelu(const float *x, float *y, size_t count);

/// `prunelab_gelu` on vectors of at most `lanes` lanes (16, 8 or 1: portable), where this build and CPU
/// have them: for tests of each path, and timings.
void prunelab_gelu_lanes(const float *x, float *y, size_t count, int lanes);

/// The lanes of `prunelab_gelu`'s widest path here: 16 (AVX-512, chosen at run time), 8 (an AVX2 build)
/// or 1.
int prunelab_gelu_widest_lanes(void);

/// Whether this build has the eight-lane path (built for AVX2 and FMA: release builds on such a machine
/// without `PRUNELAB_PORTABLE=1`), on which the sixteen-lane one depends.
int prunelab_gelu_built_for_avx2(void);

#endif
