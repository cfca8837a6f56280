#include "gelu.h"

#include "exp_kernel.h"
#include "cpu_features.h"

// The constants every path shares: 1/√2, and Abramowitz & Stegun 7.1.26's `p` and polynomial (the
// highest power first).
#define GELU_SQRT_HALF 0.70710678f
#define ERFC_P 0.3275911f
static const float erfc_polynomial[5] = {1.061405429f, -1.453152027f, 1.421413741f, -0.284496736f, 0.254829592f};

/// GELU of one value: `z = |x|/√2`, `t = 1/(1 + 0.3275911·z)`, `erfc(z) = t·P(t)·exp(−z²)`,
/// `Φ(x) = erfc/2` below 0 and `1 − erfc/2` above.
static float gelu_portable(float x) {
    float z = fabsf(x) * GELU_SQRT_HALF;
    float denominator = fmaf(ERFC_P, z, 1.0f);
    float t = 1.0f / denominator;
    float p = erfc_polynomial[0];
    for (int k = 1; k < 5; k++) p = fmaf(p, t, erfc_polynomial[k]);
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

#if defined(__AVX2__) && defined(__FMA__)
/// `gelu_portable` on eight lanes from `first`; returns where the last full vector ended.
static size_t gelu_range_eight_lanes(const float *x, float *y, size_t first, size_t count) {
    const __m256 sign = _mm256_set1_ps(-0.0f), one = _mm256_set1_ps(1.0f);
    size_t i = first;
    for (; i + 8 <= count; i += 8) {
        __m256 value = _mm256_loadu_ps(x + i);
        __m256 z = _mm256_mul_ps(_mm256_andnot_ps(sign, value), _mm256_set1_ps(GELU_SQRT_HALF));
        __m256 t = _mm256_div_ps(one, _mm256_fmadd_ps(_mm256_set1_ps(ERFC_P), z, one));
        __m256 p = _mm256_set1_ps(erfc_polynomial[0]);
        for (int k = 1; k < 5; k++) p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(erfc_polynomial[k]));
        __m256 negative_square = _mm256_xor_ps(_mm256_mul_ps(z, z), sign);
        __m256 tail = _mm256_mul_ps(_mm256_mul_ps(_mm256_mul_ps(p, t), exp_vector(negative_square)),
                                    _mm256_set1_ps(0.5f));
        __m256 below = _mm256_cmp_ps(value, _mm256_setzero_ps(), _CMP_LT_OQ);
        __m256 cdf = _mm256_blendv_ps(_mm256_sub_ps(one, tail), tail, below);
        _mm256_storeu_ps(y + i, _mm256_mul_ps(value, cdf));
    }
    return i;
}

/// `gelu_range_eight_lanes` on sixteen lanes. Half the instructions per value let more values be in
/// flight: 1.5–2 times the eight-lane throughput on this project's AMD EPYC (`scripts/gelu_bench.c`),
/// though each 16-lane operation costs two 8-lane ones there.
__attribute__((target("avx512f"))) static size_t gelu_range_sixteen_lanes(const float *x, float *y, size_t count) {
    const __m512i sign = _mm512_castps_si512(_mm512_set1_ps(-0.0f));
    const __m512 one = _mm512_set1_ps(1.0f);
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m512 value = _mm512_loadu_ps(x + i);
        __m512 z = _mm512_mul_ps(_mm512_abs_ps(value), _mm512_set1_ps(GELU_SQRT_HALF));
        __m512 t = _mm512_div_ps(one, _mm512_fmadd_ps(_mm512_set1_ps(ERFC_P), z, one));
        __m512 p = _mm512_set1_ps(erfc_polynomial[0]);
        for (int k = 1; k < 5; k++) p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(erfc_polynomial[k]));
        __m512 negative_square = _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(_mm512_mul_ps(z, z)), sign));
        __m512 tail = _mm512_mul_ps(_mm512_mul_ps(_mm512_mul_ps(p, t), exp_vector16(negative_square)),
                                    _mm512_set1_ps(0.5f));
        __mmask16 below = _mm512_cmp_ps_mask(value, _mm512_setzero_ps(), _CMP_LT_OQ);
        __m512 cdf = _mm512_mask_blend_ps(below, _mm512_sub_ps(one, tail), tail);
        _mm512_storeu_ps(y + i, _mm512_mul_ps(value, cdf));
    }
    return i;
}
#endif

int prunelab_gelu_built_for_avx2(void) {
#if defined(__AVX2__) && defined(__FMA__)
    return 1;
#else
    return 0;
#endif
}

int prunelab_gelu_widest_lanes(void) { return prunelab_gelu_built_for_avx2() ? (prunelab_uses_avx512() ? 16 : 8) : 1; }

void prunelab_gelu_lanes(const float *x, float *y, size_t count, int lanes) {
    size_t i = 0;
#if defined(__AVX2__) && defined(__FMA__)
    // Short calls (one value, from `GELUKernel.value`) skip the check.
    if (lanes >= 16 && count >= 16 && prunelab_uses_avx512()) i = gelu_range_sixteen_lanes(x, y, count);
    if (lanes >= 8) i = gelu_range_eight_lanes(x, y, i, count);
#else
    (void)lanes;
#endif
    gelu_range_portable(x, y, i, count);
}

void prunelab_gelu(const float *x, float *y, size_t count) { prunelab_gelu_lanes(x, y, count, 16); }
