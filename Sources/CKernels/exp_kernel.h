#ifndef PRUNELAB_EXP_KERNEL_H
#define PRUNELAB_EXP_KERNEL_H
// `exp` for the kernels' non-positive arguments (a logit minus its row's maximum, −z² in GELU), portably
// and on eight or sixteen lanes with the same operations, so every path gives the same bits (a NaN's sign
// aside).
#include <limits.h>
#include <math.h>
#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

/// `exp(x)` for `x ≤ 0`: `VectorMath.exp`'s Cephes polynomial as a chain of fused multiply-adds, 0 below
/// −87.3, NaN for NaN.
static inline float exp_portable(float x) {
    float clamped = x < -87.33654f ? -87.33654f : x;
    float n = fmaf(clamped, 1.442695f, 12582912.0f);
    n = n - 12582912.0f;
    float r = fmaf(n, -0.693359375f, clamped);
    r = fmaf(n, 2.12194440e-4f, r);
    float p = 1.9875691500e-4f;
    p = fmaf(p, r, 1.3981999507e-3f);
    p = fmaf(p, r, 8.3334519073e-3f);
    p = fmaf(p, r, 4.1665795894e-2f);
    p = fmaf(p, r, 1.6666665459e-1f);
    p = fmaf(p, r, 5.0000001201e-1f);
    float square = r * r;
    float y = fmaf(p, square, r);
    y = y + 1.0f;
    // A NaN argument stays NaN; its exponent is taken as the vector conversion's INT_MIN, not converted.
    int exponent = n == n ? (int)n : INT_MIN;
    union { unsigned bits; float value; } scale = { .bits = ((unsigned)exponent + 127u) << 23 };
    return x < -87.33654f ? 0.0f : y * scale.value;
}

#if defined(__AVX2__) && defined(__FMA__)
/// `exp_portable` on eight lanes.
static inline __m256 exp_vector(__m256 x) {
    const __m256 lowest = _mm256_set1_ps(-87.33654f), shifter = _mm256_set1_ps(12582912.0f);
    __m256 clamped = _mm256_max_ps(lowest, x);  // the second operand when either is NaN: a NaN stays
    __m256 n = _mm256_sub_ps(_mm256_fmadd_ps(clamped, _mm256_set1_ps(1.442695f), shifter), shifter);
    __m256 r = _mm256_fmadd_ps(n, _mm256_set1_ps(-0.693359375f), clamped);
    r = _mm256_fmadd_ps(n, _mm256_set1_ps(2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    __m256 y = _mm256_add_ps(_mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r), _mm256_set1_ps(1.0f));
    __m256i exponent = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    __m256 result = _mm256_mul_ps(y, _mm256_castsi256_ps(exponent));
    return _mm256_andnot_ps(_mm256_cmp_ps(x, lowest, _CMP_LT_OQ), result);
}

/// `exp_vector` on sixteen lanes, for AVX-512 paths chosen at run time.
__attribute__((target("avx512f"))) static inline __m512 exp_vector16(__m512 x) {
    const __m512 lowest = _mm512_set1_ps(-87.33654f), shifter = _mm512_set1_ps(12582912.0f);
    __m512 clamped = _mm512_max_ps(lowest, x);  // the second operand when either is NaN: a NaN stays
    __m512 n = _mm512_sub_ps(_mm512_fmadd_ps(clamped, _mm512_set1_ps(1.442695f), shifter), shifter);
    __m512 r = _mm512_fmadd_ps(n, _mm512_set1_ps(-0.693359375f), clamped);
    r = _mm512_fmadd_ps(n, _mm512_set1_ps(2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    __m512 y = _mm512_add_ps(_mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r), _mm512_set1_ps(1.0f));
    __m512i exponent = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
    __m512 result = _mm512_mul_ps(y, _mm512_castsi512_ps(exponent));
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(x, lowest, _CMP_NLT_UQ), result);
}

#endif

#endif
