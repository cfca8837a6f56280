// A prefill's weight products split over two threads by output columns or by rows.
//
// Chains the built-in language model's 24 weight products through its 4 layers as a prefill of M rows
// does (query, key and value from the block's input; the output projection from the attention output;
// the MLP), on two threads pinned to CPUs 0 and 1, in two ways:
//   columns: every product's output columns shared between the threads, a barrier after each product
//            (the next one needs whole rows, half of them written by the other core);
//   rows:    each thread takes its own rows through every product, with a barrier only where attention
//            needs every row (stood in for by each thread reading all keys and values and copying its
//            share of the queries to the attention output).
// No layer norms, GELUs or real attention: this isolates what the split costs the products. Prints the
// median of 2000 interleaved passes of each. At 2–6 rows, split by rows, each thread streams every weight
// (3.1 MB) for one to three rows, which takes longer than the arithmetic.
//
//   gcc -O3 -mavx2 -mfma -pthread -ISources/CKernels/include scripts/row_split.c Sources/CKernels/packed_linear.c -o /tmp/row_split -lm
//   for m in 2 6 21 53 149; do /tmp/row_split $m; done
#define _GNU_SOURCE
#include "packed_linear.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_support.h"
#include "two_thread_model.h"

enum { PASSES = 2000, WARMUP = 20 };
static float *x, *q, *k, *v, *attended, *mixed, *widened;
static int rows, by_rows;
static volatile float sink;

/// Thread `t`'s share of `out = in · w`, `in` with `inputs` columns, `out` with `outputs`.
static void product(int t, const float *in, int inputs, const float *w, int outputs, float *out) {
    int panels = prunelab_panel_count(outputs);
    if (by_rows) {
        int first = rows * t / 2, last = rows * (t + 1) / 2;
        prunelab_packed_linear(last - first, outputs, inputs, in + (size_t)first * inputs, inputs, w, NULL,
                               out + (size_t)first * outputs, outputs, 0, panels);
    } else {
        prunelab_packed_linear(rows, outputs, inputs, in, inputs, w, NULL, out, outputs, panels * t / 2, panels * (t + 1) / 2);
        barrier();
    }
}

/// Stands in for attention: every thread reads all keys and values, then writes its share of the output.
static void attend(int t) {
    float total[8] = {0};
    for (int i = 0; i < rows * WIDTH; i += 8)
        for (int j = 0; j < 8; j++) total[j] += k[i + j] + v[i + j];
    sink = total[0] + total[7];
    if (by_rows) {
        int first = rows * t / 2, last = rows * (t + 1) / 2;
        memcpy(attended + first * WIDTH, q + first * WIDTH, sizeof(float) * (last - first) * WIDTH);
    } else {  // by heads: each thread its half of the columns
        for (int r = 0; r < rows; r++) memcpy(attended + r * WIDTH + t * WIDTH / 2, q + r * WIDTH + t * WIDTH / 2, sizeof(float) * WIDTH / 2);
        barrier();
    }
}

static void pass(int t) {
    for (int l = 0; l < LAYERS; l++) {
        product(t, x, WIDTH, weights[l][0], WIDTH, q);
        product(t, x, WIDTH, weights[l][1], WIDTH, k);
        product(t, x, WIDTH, weights[l][2], WIDTH, v);
        if (by_rows) barrier();
        attend(t);
        product(t, attended, WIDTH, weights[l][3], WIDTH, mixed);
        product(t, mixed, WIDTH, weights[l][4], HIDDEN, widened);
        product(t, widened, HIDDEN, weights[l][5], WIDTH, x);
    }
}

/// Variant 0 splits by columns, 1 by rows; each pass starts from the same input.
static void select_split(int variant) {
    by_rows = variant;
    for (int j = 0; j < rows * WIDTH; j++) x[j] = 0.01f * (j % 7);
}

int main(int argc, char **argv) {
    rows = argc > 1 ? atoi(argv[1]) : 21;
    if (rows < 2 || rows > 512) { fprintf(stderr, "usage: row_split ROWS (2 to 512)\n"); return 1; }
    pack_model_weights();
    float **buffers[] = {&x, &q, &k, &v, &attended, &mixed, &widened};
    for (size_t b = 0; b < sizeof buffers / sizeof buffers[0]; b++) {
        *buffers[b] = aligned_alloc(64, sizeof(float) * (size_t)rows * HIDDEN);
        for (int i = 0; i < rows * HIDDEN; i++) (*buffers[b])[i] = 0.01f * (i % 7);
    }
    double medians[2];
    time_two_thread_variants(2, PASSES, WARMUP, select_split, pass, NULL, medians);
    printf("M = %3d  by columns %7.1f us  by rows %7.1f us\n", rows, 1e6 * medians[0], 1e6 * medians[1]);
    return 0;
}
