// One attention head at inference, alone: the engine's fused kernel (Sources/CKernels/attention_head.c)
// on a causal prefill of N tokens, 4 heads of 32 channels in rows of 128 (the built-in language model's
// shapes), queries, keys and values random. Prints, for N = 21 (a 16-token prefill with the benchmark
// question) and 149 (the unpruned one), the median over 9 passes of the time per head, single-threaded
// and with the head's data hot in cache.
//
//   gcc -O3 -mavx2 -mfma -ISources/CKernels/include scripts/attention_head_bench.c \
//       Sources/CKernels/attention_head.c -o /tmp/attention_head_bench -lm && /tmp/attention_head_bench
#define _GNU_SOURCE
#include "attention_head.h"
#include "bench_support.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum { WIDTH = 128, HEADS = 4, HEAD_WIDTH = WIDTH / HEADS, PASSES = 9 };

/// Median seconds per head over PASSES passes of `repeats` prefills' attention (every head) at `n` tokens.
static double seconds_per_head(int n, int repeats) {
    float *q = malloc(sizeof(float) * n * WIDTH), *k = malloc(sizeof(float) * n * WIDTH);
    float *v = malloc(sizeof(float) * n * WIDTH), *out = malloc(sizeof(float) * n * WIDTH);
    float *probabilities = malloc(sizeof(float) * n * n);
    srand(1);
    for (int i = 0; i < n * WIDTH; i++) {
        q[i] = rand() / (float)RAND_MAX - 0.5f;
        k[i] = rand() / (float)RAND_MAX - 0.5f;
        v[i] = rand() / (float)RAND_MAX - 0.5f;
    }
    double times[PASSES];
    for (int pass = 0; pass < PASSES; pass++) {
        double start = seconds();
        for (int r = 0; r < repeats; r++) {
            for (int h = 0; h < HEADS; h++) {
                prunelab_attention_head(n, n, 0, n, HEAD_WIDTH, 1, 1 / sqrtf(HEAD_WIDTH), q + h * HEAD_WIDTH, WIDTH,
                                        k + h * HEAD_WIDTH, WIDTH, v + h * HEAD_WIDTH, WIDTH, probabilities,
                                        out + h * HEAD_WIDTH, WIDTH);
            }
        }
        times[pass] = (seconds() - start) / repeats / HEADS;
    }
    qsort(times, PASSES, sizeof times[0], ascending);
    free(q), free(k), free(v), free(out), free(probabilities);
    return times[PASSES / 2];
}

int main(void) {
    pin(0);
    int sizes[] = {21, 149}, repeats[] = {5000, 200};
    for (int s = 0; s < 2; s++) {
        printf("%3d tokens: %.2f us per head\n", sizes[s], 1e6 * seconds_per_head(sizes[s], repeats[s]));
    }
    return 0;
}
