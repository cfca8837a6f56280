#include "packed_linear.h"

#include <math.h>
#include <string.h>
#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

enum { WIDTH = PRUNELAB_PANEL_WIDTH, ROWS = 6 };

size_t prunelab_packed_size(int outputs, int inputs) {
    return (size_t)((outputs + WIDTH - 1) / WIDTH) * WIDTH * (size_t)inputs;
}

void prunelab_pack_weights(int outputs, int inputs, const float *weight, float *packed) {
    prunelab_pack_strided(outputs, inputs, weight, inputs, 1, packed);
}

void prunelab_pack_strided(int outputs, int inputs, const float *source, ptrdiff_t output_stride,
                           ptrdiff_t input_stride, float *packed) {
    int panels = (outputs + WIDTH - 1) / WIDTH;
    for (int panel = 0; panel < panels; panel++) {
        float *destination = packed + (size_t)panel * inputs * WIDTH;
        for (int i = 0; i < inputs; i++) {
            for (int j = 0; j < WIDTH; j++) {
                int output = panel * WIDTH + j;
                destination[i * WIDTH + j] = output < outputs ? source[output * output_stride + i * input_stride] : 0;
            }
        }
    }
}

/// Up to `ROWS` rows of one panel into `out` (row stride `WIDTH`): `count` rows, each a chain of fused
/// multiply-adds over the inputs in order. The row count is a constant at every call site once inlined,
/// so the accumulators stay in registers.
static inline __attribute__((always_inline)) void panel_rows(
    const int count, int inputs, const float *x, int ldx, const float *panel, float *out) {
#if defined(__AVX2__) && defined(__FMA__)
    __m256 low[ROWS], high[ROWS];
#pragma GCC unroll 6
    for (int r = 0; r < ROWS; r++) if (r < count) low[r] = high[r] = _mm256_setzero_ps();
    for (int i = 0; i < inputs; i++) {
        __m256 w0 = _mm256_load_ps(panel + i * WIDTH), w1 = _mm256_load_ps(panel + i * WIDTH + 8);
#pragma GCC unroll 6
        for (int r = 0; r < ROWS; r++) {
            if (r < count) {
                __m256 value = _mm256_broadcast_ss(x + (size_t)r * ldx + i);
                low[r] = _mm256_fmadd_ps(value, w0, low[r]);
                high[r] = _mm256_fmadd_ps(value, w1, high[r]);
            }
        }
    }
#pragma GCC unroll 6
    for (int r = 0; r < ROWS; r++) {
        if (r < count) {
            _mm256_storeu_ps(out + r * WIDTH, low[r]);
            _mm256_storeu_ps(out + r * WIDTH + 8, high[r]);
        }
    }
#else
    for (int r = 0; r < count; r++) {
        for (int j = 0; j < WIDTH; j++) {
            float sum = 0;
            for (int i = 0; i < inputs; i++) sum = fmaf(x[(size_t)r * ldx + i], panel[i * WIDTH + j], sum);
            out[r * WIDTH + j] = sum;
        }
    }
#endif
}

/// Rows `0 ..< count` (at most `ROWS`) of one panel, written to `c` with the bias added.
static void panel_block(int count, int inputs, const float *x, int ldx, const float *panel, const float *bias,
                        float *c, int ldc, int columns) {
    float out[ROWS * WIDTH];
    switch (count) {
        case 1: panel_rows(1, inputs, x, ldx, panel, out); break;
        case 2: panel_rows(2, inputs, x, ldx, panel, out); break;
        case 3: panel_rows(3, inputs, x, ldx, panel, out); break;
        case 4: panel_rows(4, inputs, x, ldx, panel, out); break;
        case 5: panel_rows(5, inputs, x, ldx, panel, out); break;
        default: panel_rows(6, inputs, x, ldx, panel, out); break;
    }
    for (int r = 0; r < count; r++) {
        float *row = c + (size_t)r * ldc;
        if (bias) {
            for (int j = 0; j < columns; j++) row[j] = out[r * WIDTH + j] + bias[j];
        } else {
            memcpy(row, out + r * WIDTH, sizeof(float) * (size_t)columns);
        }
    }
}

void prunelab_packed_linear(int rows, int outputs, int inputs, const float *x, int ldx, const float *packed,
                            const float *bias, float *c, int ldc, int first_panel, int last_panel) {
    for (int panel = first_panel; panel < last_panel; panel++) {
        int column = panel * WIDTH, columns = outputs - column < WIDTH ? outputs - column : WIDTH;
        const float *weights = packed + (size_t)panel * inputs * WIDTH;
        for (int row = 0; row < rows; row += ROWS) {
            int count = rows - row < ROWS ? rows - row : ROWS;
            panel_block(count, inputs, x + (size_t)row * ldx, ldx, weights, bias ? bias + column : NULL,
                        c + (size_t)row * ldc + column, ldc, columns);
        }
    }
}
