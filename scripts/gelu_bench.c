// The engine's GELU alone (Sources/CKernels/gelu.c) on each of its paths: 4,608 values (DiffPrune's
// scorer on 144 tokens when it had 32 channels) and 81,920 (the built-in model's MLP on 160 tokens), hot in
// cache, single-threaded on CPU 0. Prints, per path this build and CPU have, the median over 201
// samples of the time per call, and checks that every path gives the portable path's bits. Built with
// clang (the Swift toolchain's, which compiles the kernels in the package) and the package's flags:
//
//   clang -O3 -mavx2 -mfma -ISources/CKernels/include scripts/gelu_bench.c Sources/CKernels/gelu.c \
//       Sources/CKernels/cpu_features.c -o /tmp/gelu_bench -lm && /tmp/gelu_bench
#define _GNU_SOURCE
#include "bench_support.h"
#include "gelu.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SAMPLES = 201 };

/// Median seconds per call of `prunelab_gelu_lanes(x, y, count, lanes)`, `repeats` calls a sample.
static double seconds_per_call(const float *x, float *y, size_t count, int lanes, int repeats) {
    double samples[SAMPLES];
    for (int s = 0; s < SAMPLES; s++) {
        double start = seconds();
        for (int r = 0; r < repeats; r++) prunelab_gelu_lanes(x, y, count, lanes);
        samples[s] = (seconds() - start) / repeats;
    }
    qsort(samples, SAMPLES, sizeof(double), ascending);
    return samples[SAMPLES / 2];
}

int main(void) {
    pin(0);
    const size_t counts[] = {4608, 81920};
    for (int c = 0; c < 2; c++) {
        size_t count = counts[c];
        float *x = malloc(sizeof(float) * count), *y = malloc(sizeof(float) * count);
        float *portable = malloc(sizeof(float) * count);
        srand(1);
        for (size_t i = 0; i < count; i++) x[i] = (rand() / (float)RAND_MAX - 0.5f) * 12;
        prunelab_gelu_lanes(x, portable, count, 1);
        const int paths[] = {16, 8, 1};
        for (int p = 0; p < 3; p++) {
            int lanes = paths[p];
            if (lanes > prunelab_gelu_widest_lanes()) continue;
            prunelab_gelu_lanes(x, y, count, lanes);
            int differences = 0;
            for (size_t i = 0; i < count; i++) differences += memcmp(y + i, portable + i, sizeof(float)) != 0;
            double time = seconds_per_call(x, y, count, lanes, count < 10000 ? 20 : 2);
            printf("%6zu values, %2d lanes: %8.3f us (%.3f ns a value), %d differ from the portable path\n", count,
                   lanes, time * 1e6, time * 1e9 / count, differences);
        }
        free(x), free(y), free(portable);
    }
    return 0;
}
