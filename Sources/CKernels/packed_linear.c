#include "packed_linear.h"

#include <math.h>
#include <string.h>
#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

/// ROWS: rows per register block. PREFETCH: how many inputs ahead (one 64-byte line of a panel each) the
/// weights are prefetched, within the panels a call covers: a product of a few rows uses each line for
/// only a few cycles, too few for the hardware prefetcher to hide the L3 latency when a prefill's weights
/// (3 MB) do not fit in L2.
enum { WIDTH = PRUNELAB_PANEL_WIDTH, ROWS = 6, PREFETCH = 16 };

int prunelab_panel_count(int outputs) { return (outputs + WIDTH - 1) / WIDTH; }

/// Output columns of `panel` that are real rather than zero padding.
static int panel_columns(int outputs, int panel) {
    return outputs - panel * WIDTH < WIDTH ? outputs - panel * WIDTH : WIDTH;
}

size_t prunelab_packed_size(int outputs, int inputs) {
    return (size_t)prunelab_panel_count(outputs) * WIDTH * (size_t)inputs;
}

void prunelab_pack_weights(int outputs, int inputs, const float *weight, float *packed) {
    int panels = prunelab_panel_count(outputs);
    for (int panel = 0; panel < panels; panel++) {
        float *destination = packed + (size_t)panel * inputs * WIDTH;
        const float *first = weight + (size_t)panel * WIDTH * inputs;
        int columns = panel_columns(outputs, panel);
        if (columns < WIDTH) memset(destination, 0, sizeof(float) * (size_t)inputs * WIDTH);
        for (int j = 0; j < columns; j++) {
            for (int i = 0; i < inputs; i++) destination[i * WIDTH + j] = first[(size_t)j * inputs + i];
        }
    }
}

/// Rows `0 ..< count` of a block computed into `out` (row stride `WIDTH`), written to `c` (the panel's
/// first column, row stride `ldc`) with the bias added: only the panel's real `columns`.
static void store_rows(int count, const float *out, const float *bias, float *c, int ldc, int columns) {
    for (int r = 0; r < count; r++) {
        float *row = c + (size_t)r * ldc;
        if (bias) {
            for (int j = 0; j < columns; j++) row[j] = out[r * WIDTH + j] + bias[j];
        } else {
            memcpy(row, out + r * WIDTH, sizeof(float) * (size_t)columns);
        }
    }
}

/// Up to `ROWS` rows of one panel, written to `c` as `store_rows` does, portably: `count` rows, each output
/// a chain of fused multiply-adds over the inputs in order, then the bias.
static void panel_rows_portable(int count, int inputs, const float *x, int ldx, const float *panel, int lines,
                                const float *bias, float *c, int ldc, int columns) {
    (void)lines;
    float out[ROWS * WIDTH];
    for (int r = 0; r < count; r++) {
        for (int j = 0; j < WIDTH; j++) {
            float sum = 0;
            for (int i = 0; i < inputs; i++) sum = fmaf(x[(size_t)r * ldx + i], panel[i * WIDTH + j], sum);
            out[r * WIDTH + j] = sum;
        }
    }
    store_rows(count, out, bias, c, ldc, columns);
}

#if defined(__AVX2__) && defined(__FMA__)
/// `panel_rows_portable` with the rows in vector registers: the same operations, so the same bits. The
/// row count is a constant at every call site once inlined, so the accumulators stay in registers, and a
/// whole panel's rows go from them to `c` with the bias added (a partial one through `store_rows`).
/// `lines`: the panel lines from `panel` to the end of the call's panels, the most that may be prefetched.
static inline __attribute__((always_inline)) void panel_rows_vector(
    const int count, int inputs, const float *x, int ldx, const float *panel, int lines,
    const float *bias, float *c, int ldc, int columns) {
    __m256 low[ROWS], high[ROWS];
#pragma GCC unroll 6
    for (int r = 0; r < ROWS; r++) if (r < count) low[r] = high[r] = _mm256_setzero_ps();
    for (int i = 0; i < inputs; i++) {
        if (i + PREFETCH < lines) _mm_prefetch((const char *)(panel + (i + PREFETCH) * WIDTH), _MM_HINT_T0);
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
    if (columns == WIDTH) {
        const __m256 zero = _mm256_setzero_ps();
        __m256 bias0 = bias ? _mm256_loadu_ps(bias) : zero, bias1 = bias ? _mm256_loadu_ps(bias + 8) : zero;
#pragma GCC unroll 6
        for (int r = 0; r < ROWS; r++) {
            if (r < count) {
                // Without a bias the sums are stored as they are (adding zeros would turn −0 into +0).
                _mm256_storeu_ps(c + (size_t)r * ldc, bias ? _mm256_add_ps(low[r], bias0) : low[r]);
                _mm256_storeu_ps(c + (size_t)r * ldc + 8, bias ? _mm256_add_ps(high[r], bias1) : high[r]);
            }
        }
        return;
    }
    float out[ROWS * WIDTH];
#pragma GCC unroll 6
    for (int r = 0; r < ROWS; r++) {
        if (r < count) {
            _mm256_storeu_ps(out + r * WIDTH, low[r]);
            _mm256_storeu_ps(out + r * WIDTH + 8, high[r]);
        }
    }
    store_rows(count, out, bias, c, ldc, columns);
}

/// `panel_rows_vector` with a constant row count.
static void panel_rows(int count, int inputs, const float *x, int ldx, const float *panel, int lines,
                       const float *bias, float *c, int ldc, int columns) {
    switch (count) {
        case 1: panel_rows_vector(1, inputs, x, ldx, panel, lines, bias, c, ldc, columns); break;
        case 2: panel_rows_vector(2, inputs, x, ldx, panel, lines, bias, c, ldc, columns); break;
        case 3: panel_rows_vector(3, inputs, x, ldx, panel, lines, bias, c, ldc, columns); break;
        case 4: panel_rows_vector(4, inputs, x, ldx, panel, lines, bias, c, ldc, columns); break;
        case 5: panel_rows_vector(5, inputs, x, ldx, panel, lines, bias, c, ldc, columns); break;
        default: panel_rows_vector(6, inputs, x, ldx, panel, lines, bias, c, ldc, columns); break;
    }
}
#else
#define panel_rows panel_rows_portable
#endif

/// Rows `0 ..< count` (at most `ROWS`) of one panel, written to `c` (the panel's first column) with the
/// bias added.
typedef void (*panel_rows_function)(int count, int inputs, const float *x, int ldx, const float *panel, int lines,
                                    const float *bias, float *c, int ldc, int columns);

static void packed_linear(panel_rows_function rows_of, int rows, int outputs, int inputs, const float *x, int ldx,
                          const float *packed, const float *bias, float *c, int ldc, int first_panel, int last_panel) {
    int blocks = (rows + ROWS - 1) / ROWS;
    for (int panel = first_panel; panel < last_panel; panel++) {
        int column = panel * WIDTH, columns = panel_columns(outputs, panel);
        const float *weights = packed + (size_t)panel * inputs * WIDTH;
        int lines = (last_panel - panel) * inputs;
        // The rows are shared as evenly as possible between the fewest blocks: a short last block (3 of
        // 21 rows) would have too few multiply-add chains in flight to hide their latency.
        for (int block = 0, row = 0; block < blocks; block++) {
            int count = rows / blocks + (block < rows % blocks);
            rows_of(count, inputs, x + (size_t)row * ldx, ldx, weights, lines, bias ? bias + column : NULL,
                    c + (size_t)row * ldc + column, ldc, columns);
            row += count;
        }
    }
}

void prunelab_packed_linear(int rows, int outputs, int inputs, const float *x, int ldx, const float *packed,
                            const float *bias, float *c, int ldc, int first_panel, int last_panel) {
    packed_linear(panel_rows, rows, outputs, inputs, x, ldx, packed, bias, c, ldc, first_panel, last_panel);
}

void prunelab_packed_linear_portable(int rows, int outputs, int inputs, const float *x, int ldx,
                                     const float *packed, const float *bias, float *c, int ldc, int first_panel,
                                     int last_panel) {
    packed_linear(panel_rows_portable, rows, outputs, inputs, x, ldx, packed, bias, c, ldc, first_panel, last_panel);
}
