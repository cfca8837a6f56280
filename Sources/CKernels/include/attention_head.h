#ifndef PRUNELAB_ATTENTION_HEAD_H
#define PRUNELAB_ATTENTION_HEAD_H
// The inference kernel of one attention head: `softmax(scale·q·kᵀ)·v` for a few dozen to a few hundred
// tokens, reading queries, keys and values in place (any row stride) and computing only the keys each
// query can see under the causal mask.
//
// A general GEMM (or the packed-weight kernel) would first copy and transpose the head's keys and values;
// at 21 tokens that costs as much as the arithmetic. Here every score is a dot product over the head's
// channels, eight lanes at a time, and every output a multiply-add over the visible keys in order. The
// vector path and the portable one perform the same operations in the same order, so they give the same
// bits, and a head's result never depends on the thread that computes it.
#include <stddef.h>

/// For queries `first ≤ i < first + count` of a block of `queries`: `probabilities[i][j] =
/// softmax_j(scale·q_i·k_j)` over the keys query `i` sees (all `keys`, or with `causal` the first
/// `i + keys − queries + 1`, aligned at the end so that a query block continuing a cached prefix works) and
/// 0 for the others; `out[i] = Σ_j probabilities[i][j]·v_j`. `q`, `k`, `v` and `out` point at row 0 and
/// are row-major with row strides `ldq`, `ldk`, `ldv` and `ldo` and `head_width` columns; `probabilities`
/// is `queries × keys`, row-major and contiguous. A query's values do not depend on the other queries a
/// call covers, so a block may be split over threads by queries.
void prunelab_attention_head(int queries, int keys, int first, int count, int head_width, int causal, float scale,
                             const float *q, ptrdiff_t ldq, const float *k, ptrdiff_t ldk, const float *v,
                             ptrdiff_t ldv, float *probabilities, float *out, ptrdiff_t ldo);

/// `prunelab_attention_head` through the portable path whatever the build, so that tests can check both
/// paths give the same bits.
void prunelab_attention_head_portable(int queries, int keys, int first, int count, int head_width, int causal,
                                      float scale, const float *q, ptrdiff_t ldq, const float *k, ptrdiff_t ldk,
                                      const float *v, ptrdiff_t ldv, float *probabilities, float *out, ptrdiff_t ldo);

#endif
