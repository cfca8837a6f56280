#ifndef PRUNELAB_GELU_H
#define PRUNELAB_GELU_H
// The engine's GELU, `x·Φ(x)` with Φ from the Abramowitz & Stegun 7.1.26 erfc (1.5e-7 absolute), eight
// (sixteen with AVX-512) lanes at a time with fused multiply-adds. Every path performs the same operations,
// so every element gets the same bits on any path and whatever range a call covers.
#include <stddef.h>

/// `y[i] = GELU(x[i])` for `i < count`; `y` may be `x`.
void prunelab_gelu(const float *x, float *y, size_t count);

/// `prunelab_gelu` through the portable path whatever the build, for tests.
void prunelab_gelu_portable(const float *x, float *y, size_t count);

/// `prunelab_gelu` without its AVX-512 path whatever the CPU, for tests.
void prunelab_gelu_eight_lanes(const float *x, float *y, size_t count);

#endif
