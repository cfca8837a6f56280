#ifndef PRUNELAB_PACKED_LINEAR_H
#define PRUNELAB_PACKED_LINEAR_H
// The inference kernel of the engine's linear layers: `y = x·Wᵀ + b` on a weight matrix packed once
// into panels of 16 output columns, so that a product with few rows (a batch-1 prefill) streams the
// weights contiguously instead of repacking them on every call as a general GEMM does.
//
// Every output element is one fused multiply-add chain over the inputs in order, plus the bias: its
// value does not depend on which rows or panels a call covers, nor on whether the vector or the portable
// path computes it.
#include <stddef.h>

/// Output columns per panel.
enum { PRUNELAB_PANEL_WIDTH = 16 };

/// Panels covering `outputs` columns.
int prunelab_panel_count(int outputs);

/// Floats of the packed form of an `outputs × inputs` weight matrix (the last panel zero-padded): a
/// multiple of 16, so packed matrices laid end to end in a 32-byte-aligned buffer stay aligned.
size_t prunelab_packed_size(int outputs, int inputs);

/// Packs `weight` (row-major `[outputs][inputs]`, PyTorch's layout) into `packed`
/// (`prunelab_packed_size` floats, 32-byte aligned): panel `p` holds, for each input `i`, the weights of
/// outputs `16p ..< 16p + 16` for that input.
void prunelab_pack_weights(int outputs, int inputs, const float *weight, float *packed);

/// `c[r][o] = Σᵢ x[r][i]·w[o][i] (+ bias[o])` for rows `0 ..< rows` and the outputs of panels
/// `first_panel ..< last_panel`; `x` and `c` are row-major with row strides `ldx` and `ldc`; `bias` may
/// be NULL.
void prunelab_packed_linear(int rows, int outputs, int inputs, const float *x, int ldx, const float *packed,
                            const float *bias, float *c, int ldc, int first_panel, int last_panel);

/// `prunelab_packed_linear` through the portable path whatever the build (what a machine without AVX2 and
/// FMA runs), so that tests can check both paths give the same bits.
void prunelab_packed_linear_portable(int rows, int outputs, int inputs, const float *x, int ldx,
                                     const float *packed, const float *bias, float *c, int ldc, int first_panel,
                                     int last_panel);

#endif
