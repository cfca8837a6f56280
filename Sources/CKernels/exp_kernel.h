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

// The constants every path shares (`VectorMath.exp`'s): below `EXP_LOWEST` the result is 0; adding and
// subtracting `EXP_SHIFTER` (1.5·2²³) rounds to an integer; ln 2 is split in two so that n·ln 2 is exact.
#define EXP_LOWEST (-87.33654f)
#define EXP_SHIFTER 12582912.0f
#define EXP_LOG2_E 1.442695f
#define EXP_MINUS_LN2_HIGH (-0.693359375f)
#define EXP_LN2_CORRECTION 2.12194440e-4f

/// Cephes' polynomial for `(eʳ − 1 − r) / r²`, the highest power first.
static const float exp_polynomial[6] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                                        4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};

/// `exp(x)` for `x ≤ 0`: `VectorMath.exp`'s Cephes polynomial as a chain of fused multiply-adds, 0 below
/// −87.3, NaN for NaN.
static inline float exp_portable(float x) {
    float clamped = x < EXP_LOWEST ? EXP_LOWEST : x;
    float n = fmaf(clamped, EXP_LOG2_E, EXP_SHIFTER);
    n = n - EXP_SHIFTER;
    float r = fmaf(n, EXP_MINUS_LN2_HIGH, clamped);
    r = fmaf(n, EXP_LN2_CORRECTION, r);
    float p = exp_polynomial[0];
    for (int k = 1; k < 6; k++) p = fmaf(p, r, exp_polynomial[k]);
    float square = r * r;
    float y = fmaf(p, square, r);
    y = y + 1.0f;
    // A NaN argument stays NaN; its exponent is taken as the vector conversion's INT_MIN, not converted.
    int exponent = n == n ? (int)n : INT_MIN;
    union { unsigned bits; float value; } scale = { .bits = ((unsigned)exponent + 127u) << 23 };
    return x < EXP_LOWEST ? 0.0f : y * scale.value;
}

#if defined(__AVX2__) && defined(__FMA__)
/// `exp_portable` on eight lanes.
static inline __m256 exp_vector(__m256 x) {
    const __m256 lowest = _mm256_set1_ps(EXP_LOWEST), shifter = _mm256_set1_ps(EXP_SHIFTER);
    __m256 clamped = _mm256_max_ps(lowest, x);  // the second operand when either is NaN: a NaN stays
    __m256 n = _mm256_sub_ps(_mm256_fmadd_ps(clamped, _mm256_set1_ps(EXP_LOG2_E), shifter), shifter);
    __m256 r = _mm256_fmadd_ps(n, _mm256_set1_ps(EXP_MINUS_LN2_HIGH), clamped);
    r = _mm256_fmadd_ps(n, _mm256_set1_ps(EXP_LN2_CORRECTION), r);
    __m256 p = _mm256_set1_ps(exp_polynomial[0]);
    for (int k = 1; k < 6; k++) p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(exp_polynomial[k]));
    __m256 y = _mm256_add_ps(_mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r), _mm256_set1_ps(1.0f));
    __m256i exponent = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    __m256 result = _mm256_mul_ps(y, _mm256_castsi256_ps(exponent));
    return _mm256_andnot_ps(_mm256_cmp_ps(x, lowest, _CMP_LT_OQ), result);
}

/// `exp_vector` on sixteen lanes, for AVX-512 paths chosen at run time.
__attribute__((target("avx512f"))) static inline __m512 exp_vector16(__m512 x) {
    const __m512 lowest = _mm512_set1_ps(EXP_LOWEST), shifter = _mm512_set1_ps(EXP_SHIFTER);
    __m512 clamped = _mm512_max_ps(lowest, x);  // the second operand when either is NaN: a NaN stays
    __m512 n = _mm512_sub_ps(_mm512_fmadd_ps(clamped, _mm512_set1_ps(EXP_LOG2_E), shifter), shifter);
    __m512 r = _mm512_fmadd_ps(n, _mm512_set1_ps(EXP_MINUS_LN2_HIGH), clamped);
    r = _mm512_fmadd_ps(n, _mm512_set1_ps(EXP_LN2_CORRECTION), r);
    __m512 p = _mm512_set1_ps(exp_polynomial[0]);
    for (int k = 1; k < 6; k++) p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(exp_polynomial[k]));
    __m512 y = _mm512_add_ps(_mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r), _mm512_set1_ps(1.0f));
    __m512i exponent = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
    __m512 result = _mm512_mul_ps(y, _mm512_castsi512_ps(exponent));
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(x, lowest, _CMP_NLT_UQ), result);
}

#endif

#endif
