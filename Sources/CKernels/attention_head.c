#include "attention_head.h"

#include <math.h>
#include <string.h>

#include "exp_kernel.h"

/// LANES: the dot products' and the softmax sum's partial sums (one vector register's floats).
/// MAX_CHUNKS: the widest head the vector path takes, in LANES-float chunks (a head of 64 channels).
enum { LANES = 8, MAX_CHUNKS = 8 };

/// Keys query `i` sees.
static int visible_keys(int i, int queries, int keys, int causal) {
    if (!causal) return keys;
    int visible = i + keys - queries + 1;
    return visible < 0 ? 0 : (visible > keys ? keys : visible);
}

/// The eight partial sums of a dot product or a softmax sum, combined as the vector path's horizontal
/// adds combine a register's lanes: pairs, then pairs of pairs, then the two halves.
static float lane_total(const float s[LANES]) {
    float low01 = s[0] + s[1], low23 = s[2] + s[3], high45 = s[4] + s[5], high67 = s[6] + s[7];
    float low = low01 + low23, high = high45 + high67;
    return low + high;
}

/// One query's probabilities over `keys` keys, of which it sees the first `visible`, portably.
static void probabilities_portable(int visible, int keys, int head_width, float scale, const float *q, const float *k,
                                   ptrdiff_t ldk, float *row) {
    for (int j = 0; j < visible; j++) {
        float lanes[LANES] = {0};
        for (int c = 0; c < head_width; c++) lanes[c % LANES] = fmaf(q[c], k[j * ldk + c], lanes[c % LANES]);
        float total = lane_total(lanes);
        row[j] = total * scale;
    }
    float maximum = -INFINITY;
    for (int j = 0; j < visible; j++) maximum = row[j] > maximum ? row[j] : maximum;
    float sums[LANES] = {0};
    for (int j = 0; j < visible; j++) {
        float shifted = row[j] - maximum;
        row[j] = exp_portable(shifted);
        sums[j % LANES] = sums[j % LANES] + row[j];
    }
    float reciprocal = 1.0f / lane_total(sums);
    for (int j = 0; j < visible; j++) row[j] = row[j] * reciprocal;
    memset(row + visible, 0, sizeof(float) * (size_t)(keys - visible));
}

/// `out = Σ_j row[j]·v_j` over the first `visible` keys, each output a multiply-add chain in key order.
static void mix_portable(int visible, int head_width, const float *row, const float *v, ptrdiff_t ldv, float *out) {
    for (int c = 0; c < head_width; c++) {
        float total = 0;
        for (int j = 0; j < visible; j++) total = fmaf(row[j], v[j * ldv + c], total);
        out[c] = total;
    }
}

#if defined(__AVX2__) && defined(__FMA__)
/// Each lane's sum across eight registers, in key order: `lane_total` of register `t` in lane `t`.
static inline __m256 lane_totals(const __m256 a[LANES]) {
    __m256 pairs01 = _mm256_hadd_ps(a[0], a[1]), pairs23 = _mm256_hadd_ps(a[2], a[3]);
    __m256 pairs45 = _mm256_hadd_ps(a[4], a[5]), pairs67 = _mm256_hadd_ps(a[6], a[7]);
    __m256 quads0123 = _mm256_hadd_ps(pairs01, pairs23), quads4567 = _mm256_hadd_ps(pairs45, pairs67);
    return _mm256_add_ps(_mm256_permute2f128_ps(quads0123, quads4567, 0x20),
                         _mm256_permute2f128_ps(quads0123, quads4567, 0x31));
}

/// Lanes `0 ..< count` set (for masked loads and stores of a row's last, partial block).
static inline __m256i first_lanes(int count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/// Scores of keys `0 ..< count` (at most LANES) against `q`, scaled, into `row`. `count` is a constant
/// once inlined, so the eight accumulators stay in registers.
static inline __attribute__((always_inline)) void score_block(const int count, int chunks, float scale, const float *q,
                                                              const float *k, ptrdiff_t ldk, float *row) {
    __m256 sums[LANES];
#pragma GCC unroll 8
    for (int t = 0; t < LANES; t++) sums[t] = _mm256_setzero_ps();
    for (int c = 0; c < chunks; c++) {
        __m256 query = _mm256_loadu_ps(q + c * LANES);
#pragma GCC unroll 8
        for (int t = 0; t < LANES; t++) {
            if (t < count) sums[t] = _mm256_fmadd_ps(query, _mm256_loadu_ps(k + t * ldk + c * LANES), sums[t]);
        }
    }
    __m256 scores = _mm256_mul_ps(lane_totals(sums), _mm256_set1_ps(scale));
    if (count == LANES) _mm256_storeu_ps(row, scores);
    else _mm256_maskstore_ps(row, first_lanes(count), scores);
}

/// `probabilities_portable` with the keys eight at a time in vector registers.
static void probabilities_vector(int visible, int keys, int head_width, float scale, const float *q, const float *k,
                                 ptrdiff_t ldk, float *row) {
    int chunks = head_width / LANES, full = visible / LANES * LANES, tail = visible - full;
    for (int j = 0; j < full; j += LANES) score_block(LANES, chunks, scale, q, k + j * ldk, ldk, row + j);
    switch (tail) {
        case 1: score_block(1, chunks, scale, q, k + full * ldk, ldk, row + full); break;
        case 2: score_block(2, chunks, scale, q, k + full * ldk, ldk, row + full); break;
        case 3: score_block(3, chunks, scale, q, k + full * ldk, ldk, row + full); break;
        case 4: score_block(4, chunks, scale, q, k + full * ldk, ldk, row + full); break;
        case 5: score_block(5, chunks, scale, q, k + full * ldk, ldk, row + full); break;
        case 6: score_block(6, chunks, scale, q, k + full * ldk, ldk, row + full); break;
        case 7: score_block(7, chunks, scale, q, k + full * ldk, ldk, row + full); break;
        default: break;
    }
    __m256i last = first_lanes(tail);
    __m256 lowest = _mm256_set1_ps(-INFINITY), maxima = lowest;
    // A NaN score never becomes the maximum (the second operand wins a NaN comparison), as in the portable
    // path's `row[j] > maximum` test; it then makes the whole row NaN on both paths.
    for (int j = 0; j < full; j += LANES) maxima = _mm256_max_ps(_mm256_loadu_ps(row + j), maxima);
    if (tail) maxima = _mm256_max_ps(_mm256_blendv_ps(lowest, _mm256_maskload_ps(row + full, last),
                                                      _mm256_castsi256_ps(last)), maxima);
    float lanes[LANES], maximum = -INFINITY;
    _mm256_storeu_ps(lanes, maxima);
    for (int t = 0; t < LANES; t++) maximum = lanes[t] > maximum ? lanes[t] : maximum;
    __m256 shift = _mm256_set1_ps(maximum), sums = _mm256_setzero_ps();
    for (int j = 0; j < full; j += LANES) {
        __m256 e = exp_vector(_mm256_sub_ps(_mm256_loadu_ps(row + j), shift));
        _mm256_storeu_ps(row + j, e);
        sums = _mm256_add_ps(sums, e);
    }
    if (tail) {
        __m256 e = _mm256_and_ps(exp_vector(_mm256_sub_ps(_mm256_maskload_ps(row + full, last), shift)),
                                 _mm256_castsi256_ps(last));
        _mm256_maskstore_ps(row + full, last, e);
        sums = _mm256_add_ps(sums, e);
    }
    _mm256_storeu_ps(lanes, sums);
    __m256 reciprocal = _mm256_set1_ps(1.0f / lane_total(lanes));
    for (int j = 0; j < full; j += LANES) _mm256_storeu_ps(row + j, _mm256_mul_ps(_mm256_loadu_ps(row + j), reciprocal));
    if (tail) _mm256_maskstore_ps(row + full, last, _mm256_mul_ps(_mm256_maskload_ps(row + full, last), reciprocal));
    memset(row + visible, 0, sizeof(float) * (size_t)(keys - visible));
}

/// `mix_portable` for rows `first` and `second` at once, which see `visible` and `more ≥ visible` keys,
/// for a head of `chunks` (a constant once inlined) chunks: each value row loaded once serves both, and
/// twice the multiply-add chains are in flight.
static inline __attribute__((always_inline)) void mix_pair(const int chunks, int visible, int more, const float *first,
                                                           const float *second, const float *v, ptrdiff_t ldv,
                                                           float *out, float *next_out) {
    __m256 sums[MAX_CHUNKS / 2], next[MAX_CHUNKS / 2];
#pragma GCC unroll 4
    for (int c = 0; c < MAX_CHUNKS / 2; c++) if (c < chunks) sums[c] = next[c] = _mm256_setzero_ps();
    for (int j = 0; j < visible; j++) {
        __m256 weight = _mm256_broadcast_ss(first + j), next_weight = _mm256_broadcast_ss(second + j);
#pragma GCC unroll 4
        for (int c = 0; c < MAX_CHUNKS / 2; c++) {
            if (c < chunks) {
                __m256 values = _mm256_loadu_ps(v + j * ldv + c * LANES);
                sums[c] = _mm256_fmadd_ps(weight, values, sums[c]);
                next[c] = _mm256_fmadd_ps(next_weight, values, next[c]);
            }
        }
    }
    for (int j = visible; j < more; j++) {
        __m256 next_weight = _mm256_broadcast_ss(second + j);
#pragma GCC unroll 4
        for (int c = 0; c < MAX_CHUNKS / 2; c++) {
            if (c < chunks) next[c] = _mm256_fmadd_ps(next_weight, _mm256_loadu_ps(v + j * ldv + c * LANES), next[c]);
        }
    }
#pragma GCC unroll 4
    for (int c = 0; c < MAX_CHUNKS / 2; c++) {
        if (c < chunks) {
            _mm256_storeu_ps(out + c * LANES, sums[c]);
            _mm256_storeu_ps(next_out + c * LANES, next[c]);
        }
    }
}

/// `mix_portable` in vector registers, for a head of `chunks` (a constant once inlined) chunks.
static inline __attribute__((always_inline)) void mix_row(const int chunks, int visible, const float *row,
                                                          const float *v, ptrdiff_t ldv, float *out) {
    __m256 sums[MAX_CHUNKS];
#pragma GCC unroll 8
    for (int c = 0; c < MAX_CHUNKS; c++) if (c < chunks) sums[c] = _mm256_setzero_ps();
    for (int j = 0; j < visible; j++) {
        __m256 weight = _mm256_broadcast_ss(row + j);
#pragma GCC unroll 8
        for (int c = 0; c < MAX_CHUNKS; c++) {
            if (c < chunks) sums[c] = _mm256_fmadd_ps(weight, _mm256_loadu_ps(v + j * ldv + c * LANES), sums[c]);
        }
    }
#pragma GCC unroll 8
    for (int c = 0; c < MAX_CHUNKS; c++) if (c < chunks) _mm256_storeu_ps(out + c * LANES, sums[c]);
}

/// `mix_row` with a constant chunk count.
static void mix_row_vector(int chunks, int visible, const float *row, const float *v, ptrdiff_t ldv, float *out) {
    switch (chunks) {
        case 1: mix_row(1, visible, row, v, ldv, out); break;
        case 2: mix_row(2, visible, row, v, ldv, out); break;
        case 3: mix_row(3, visible, row, v, ldv, out); break;
        case 4: mix_row(4, visible, row, v, ldv, out); break;
        case 5: mix_row(5, visible, row, v, ldv, out); break;
        case 6: mix_row(6, visible, row, v, ldv, out); break;
        case 7: mix_row(7, visible, row, v, ldv, out); break;
        default: mix_row(8, visible, row, v, ldv, out); break;
    }
}
#endif

/// Queries `first ..< first + count`: their probabilities, then their outputs, through the vector path when
/// `vector` is set (`head_width` a multiple of LANES, at most MAX_CHUNKS of them).
static void attention_head(int vector, int queries, int keys, int first, int count, int head_width, int causal,
                           float scale, const float *q, ptrdiff_t ldq, const float *k, ptrdiff_t ldk, const float *v,
                           ptrdiff_t ldv, float *probabilities, float *out, ptrdiff_t ldo) {
    int end = first + count;
    for (int i = first; i < end; i++) {
        float *row = probabilities + (size_t)i * keys;
        int visible = visible_keys(i, queries, keys, causal);
#if defined(__AVX2__) && defined(__FMA__)
        if (vector) { probabilities_vector(visible, keys, head_width, scale, q + i * ldq, k, ldk, row); continue; }
#endif
        probabilities_portable(visible, keys, head_width, scale, q + i * ldq, k, ldk, row);
    }
    int i = first;
#if defined(__AVX2__) && defined(__FMA__)
    // Rows in pairs while four chunks or fewer leave registers for both rows' sums.
    int chunks = head_width / LANES;
    for (; vector && chunks <= MAX_CHUNKS / 2 && i + 1 < end; i += 2) {
        const float *row = probabilities + (size_t)i * keys;
        int visible = visible_keys(i, queries, keys, causal), more = visible_keys(i + 1, queries, keys, causal);
        switch (chunks) {
            case 1: mix_pair(1, visible, more, row, row + keys, v, ldv, out + i * ldo, out + (i + 1) * ldo); break;
            case 2: mix_pair(2, visible, more, row, row + keys, v, ldv, out + i * ldo, out + (i + 1) * ldo); break;
            case 3: mix_pair(3, visible, more, row, row + keys, v, ldv, out + i * ldo, out + (i + 1) * ldo); break;
            default: mix_pair(4, visible, more, row, row + keys, v, ldv, out + i * ldo, out + (i + 1) * ldo); break;
        }
    }
    for (; vector && i < end; i++) {
        mix_row_vector(chunks, visible_keys(i, queries, keys, causal), probabilities + (size_t)i * keys, v, ldv,
                       out + i * ldo);
    }
#endif
    for (; i < end; i++) {
        mix_portable(visible_keys(i, queries, keys, causal), head_width, probabilities + (size_t)i * keys, v, ldv,
                     out + i * ldo);
    }
}

void prunelab_attention_head(int queries, int keys, int first, int count, int head_width, int causal, float scale,
                             const float *q, ptrdiff_t ldq, const float *k, ptrdiff_t ldk, const float *v,
                             ptrdiff_t ldv, float *probabilities, float *out, ptrdiff_t ldo) {
    int vector = head_width > 0 && head_width % LANES == 0 && head_width <= MAX_CHUNKS * LANES;
    attention_head(vector, queries, keys, first, count, head_width, causal, scale, q, ldq, k, ldk, v, ldv,
                   probabilities, out, ldo);
}

void prunelab_attention_head_portable(int queries, int keys, int first, int count, int head_width, int causal,
                                      float scale, const float *q, ptrdiff_t ldq, const float *k, ptrdiff_t ldk,
                                      const float *v, ptrdiff_t ldv, float *probabilities, float *out, ptrdiff_t ldo) {
    attention_head(0, queries, keys, first, count, head_width, causal, scale, q, ldq, k, ldk, v, ldv, probabilities,
                   out, ldo);
}
