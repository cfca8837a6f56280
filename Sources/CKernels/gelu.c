#include "gelu.h"

#include "exp_kernel.h"

/// GELU of one value: `z = |x|/√2`, `t = 1/(1 + 0.3275911·z)`, `erfc(z) = t·P(t)·exp(−z²)`,
/// `Φ(x) = erfc/2` below 0 and `1 − erfc/2` above.
static float gelu_portable(float x) {
    float z = fabsf(x) * 0.70710678f;
    float denominator = fmaf(0.3275911f, z, 1.0f);
    float t = 1.0f / denominator;
    float p = 1.061405429f;
    p = fmaf(p, t, -1.453152027f);
    p = fmaf(p, t, 1.421413741f);
    p = fmaf(p, t, -0.284496736f);
    p = fmaf(p, t, 0.254829592f);
    float negative_square = -(z * z);
    float tail = p * t;
    tail = tail * exp_portable(negative_square);
    tail = tail * 0.5f;
    float cdf = x < 0 ? tail : 1.0f - tail;
    return x * cdf;
}

static void gelu_range_portable(const float *x, float *y, size_t first, size_t end) {
    for (size_t i = first; i < end; i++) y[i] = gelu_portable(x[i]);
}

void prunelab_gelu_portable(const float *x, float *y, size_t count) { gelu_range_portable(x, y, 0, count); }

void prunelab_gelu(const float *x, float *y, size_t count) {
    size_t i = 0;
#if defined(__AVX2__) && defined(__FMA__)
    const __m256 sign = _mm256_set1_ps(-0.0f), one = _mm256_set1_ps(1.0f);
    for (; i + 8 <= count; i += 8) {
        __m256 value = _mm256_loadu_ps(x + i);
        __m256 z = _mm256_mul_ps(_mm256_andnot_ps(sign, value), _mm256_set1_ps(0.70710678f));
        __m256 t = _mm256_div_ps(one, _mm256_fmadd_ps(_mm256_set1_ps(0.3275911f), z, one));
        __m256 p = _mm256_set1_ps(1.061405429f);
        p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-1.453152027f));
        p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(1.421413741f));
        p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-0.284496736f));
        p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0.254829592f));
        __m256 negative_square = _mm256_xor_ps(_mm256_mul_ps(z, z), sign);
        __m256 tail = _mm256_mul_ps(_mm256_mul_ps(_mm256_mul_ps(p, t), exp_vector(negative_square)),
                                    _mm256_set1_ps(0.5f));
        __m256 below = _mm256_cmp_ps(value, _mm256_setzero_ps(), _CMP_LT_OQ);
        __m256 cdf = _mm256_blendv_ps(_mm256_sub_ps(one, tail), tail, below);
        _mm256_storeu_ps(y + i, _mm256_mul_ps(value, cdf));
    }
#endif
    gelu_range_portable(x, y, i, count);
}
