// What it costs two threads to keep their shares of the rows next to each other in the same buffers.
//
// Two threads pinned to CPUs 0 and 1 each take their share of M rows (21 by default, a 16-token prefill)
// through the built-in language model's 24 weight products, 4 layers of query, key, value, output
// projection and MLP, with a barrier per layer where attention would need every row's keys (stood in for
// by reading them). No layer norms, GELUs or real attention. Four layouts of the intermediates,
// interleaved pass by pass, median of 1500 passes each:
//   adjacent: one buffer per intermediate, share 1's rows right after share 0's (the engine before bbe75a6);
//   gapped:   the same buffers with a 4 KB page between the shares' rows and after the last share's;
//   scratch:  gapped but for the layer's input and output, keys and values (the engine since bbe75a6,
//             whose block outputs, keys and values leave the prefill as ordinary tensors);
//   private:  each thread its own buffers (the keys and values the other thread reads excepted).
// On this VM, in its fast spells (the two vCPUs share a level 3; `core_round_trip` ~65 ns) all four
// take about the same time; in its slow ones (~350 ns) `adjacent` takes ~15 % longer than `gapped`: the
// hardware prefetcher of one core, running ahead within a page, fetches the first lines of the other
// core's share, and the lines travel back and forth between the cores.
//
//   gcc -O3 -mavx2 -mfma -pthread -ISources/CKernels/include scripts/share_pages.c Sources/CKernels/packed_linear.c -o /tmp/share_pages -lm
//   for i in 1 2 3 4 5 6; do /tmp/core_round_trip | head -1; /tmp/share_pages 21; done
#define _GNU_SOURCE
#include "packed_linear.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_support.h"
#include "two_thread_model.h"

enum { PASSES = 1500, WARMUP = 50, GAP = 1024, LAYOUTS = 4 };
enum { ADJACENT, GAPPED, SCRATCH, PRIVATE };
static const char *names[LAYOUTS] = {"adjacent", "gapped", "scratch", "private"};
/// The intermediates, addressed by row from a base pointer per thread: x, q, k, v, attended, mixed, widened.
enum { BUFFERS = 7 };
static float *shared_buffers[BUFFERS], *private_buffers[2][BUFFERS];
static int rows, layout;
static volatile float sink;

/// Room for every row of the widest intermediate, plus a gap after each of two shares.
static float *buffer(void) {
    size_t count = (size_t)rows * HIDDEN + 2 * GAP;
    float *b = aligned_alloc(64, sizeof(float) * count);
    for (size_t i = 0; i < count; i++) b[i] = 0.01f * (i % 7);
    return b;
}

/// Thread `t`'s base pointer for intermediate `index` in the current layout (row r at `r` rows on). The
/// keys and values stay shared (the other thread reads them) except in the private layout's own reads.
static float *base(int t, int index) {
    int outputs = index == 0 || index == 2 || index == 3;  // the layer's input and output, keys, values
    if (layout == PRIVATE && index != 2 && index != 3) return private_buffers[t][index];
    return shared_buffers[index] + (layout == GAPPED || (layout == SCRATCH && !outputs) ? t * GAP : 0);
}

static void product(int t, int first, int last, int in, int inputs, const float *w, int outputs, int out) {
    prunelab_packed_linear(last - first, outputs, inputs, base(t, in) + (size_t)first * inputs, inputs, w, NULL,
                           base(t, out) + (size_t)first * outputs, outputs, 0, prunelab_panel_count(outputs));
}

static void pass(int t) {
    int first = rows * t / 2, last = rows * (t + 1) / 2;
    for (int l = 0; l < LAYERS; l++) {
        product(t, first, last, 0, WIDTH, weights[l][0], WIDTH, 1);
        product(t, first, last, 0, WIDTH, weights[l][1], WIDTH, 2);
        product(t, first, last, 0, WIDTH, weights[l][2], WIDTH, 3);
        barrier();
        // Attention stands in: every key and value of the rows up to this share's last (the keys and values
        // of shares are a page apart when gapped, so each share's are read from its own base).
        float total[8] = {0};
        for (int s = 0; s <= t; s++) {
            int from = rows * s / 2, to = s == t ? last : rows * (s + 1) / 2;
            const float *k = base(s, 2), *v = base(s, 3);
            for (int i = from * WIDTH; i < to * WIDTH; i += 8)
                for (int j = 0; j < 8; j++) total[j] += k[i + j] + v[i + j];
        }
        sink = total[0] + total[7];
        memcpy(base(t, 4) + first * WIDTH, base(t, 1) + first * WIDTH, sizeof(float) * (last - first) * WIDTH);
        product(t, first, last, 4, WIDTH, weights[l][3], WIDTH, 5);
        product(t, first, last, 5, WIDTH, weights[l][4], HIDDEN, 6);
        product(t, first, last, 6, HIDDEN, weights[l][5], WIDTH, 0);
    }
}

static void select_layout(int variant) { layout = variant; }

/// The helper's private buffers, first touched by it.
static void make_helper_buffers(void) {
    for (int b = 0; b < BUFFERS; b++) private_buffers[1][b] = buffer();
}

int main(int argc, char **argv) {
    rows = argc > 1 ? atoi(argv[1]) : 21;
    if (rows < 2 || rows > 512) { fprintf(stderr, "usage: share_pages ROWS (2 to 512)\n"); return 1; }
    pin(0);  // the shared and caller's buffers first touched on CPU 0
    pack_model_weights();
    for (int b = 0; b < BUFFERS; b++) shared_buffers[b] = buffer(), private_buffers[0][b] = buffer();
    double medians[LAYOUTS];
    time_two_thread_variants(LAYOUTS, PASSES, WARMUP, select_layout, pass, make_helper_buffers, medians);
    printf("M = %3d", rows);
    for (int m = 0; m < LAYOUTS; m++) printf("  %s %6.1f us", names[m], 1e6 * medians[m]);
    printf("\n");
    return 0;
}
