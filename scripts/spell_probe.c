// What changes when this machine is in a slow spell: the round trip of a cache line between the two
// cores (`core_round_trip.c`), against what one core does alone: a chain of fused multiply-adds and
// streaming reads from level 2, level 3 and memory. Each sample prints one line:
//
//     round_trip_ns  fma_ms  L2_GBps  L3_GBps  memory_GBps
//
// then a summary splits the samples at a 200 ns round trip and gives each group's medians. On this VM the
// round trip flips between about 65 and 350 ns from one second to the next, while the single-core
// columns stay where they were: the slow spells slow what crosses between the cores, not the cores.
//
//   gcc -O2 -mavx2 -mfma -pthread scripts/spell_probe.c -o /tmp/spell_probe && /tmp/spell_probe [SAMPLES]
#define _GNU_SOURCE
#include <immintrin.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_support.h"

enum { EXCHANGES = 200000, FMA_STEPS = 2000000, MAX_SAMPLES = 10000 };
static _Atomic long counter __attribute__((aligned(64)));

static void *answer(void *unused) {
    (void)unused;
    pin(1);
    for (long i = 1; i <= EXCHANGES; i++) {
        while (atomic_load_explicit(&counter, memory_order_acquire) != 2 * i - 1) _mm_pause();
        atomic_store_explicit(&counter, 2 * i, memory_order_release);
    }
    return NULL;
}

/// Mean round trip in ns of a counter bounced between CPUs 0 and 1.
static double round_trip(void) {
    atomic_store(&counter, 0);
    pthread_t other;
    pthread_create(&other, NULL, answer, NULL);
    double start = seconds();
    for (long i = 1; i <= EXCHANGES; i++) {
        atomic_store_explicit(&counter, 2 * i - 1, memory_order_release);
        while (atomic_load_explicit(&counter, memory_order_acquire) != 2 * i) _mm_pause();
    }
    double elapsed = seconds() - start;
    pthread_join(other, NULL);
    return elapsed / EXCHANGES * 1e9;
}

/// Milliseconds for eight independent chains of FMA_STEPS fused multiply-adds (arithmetic alone).
static double fma_chains(void) {
    __m256 chain[8];
    for (int c = 0; c < 8; c++) chain[c] = _mm256_set1_ps(1.0f + c * 1e-3f);
    const __m256 factor = _mm256_set1_ps(0.9999f), term = _mm256_set1_ps(1e-4f);
    double start = seconds();
    for (long step = 0; step < FMA_STEPS; step++) {
        for (int c = 0; c < 8; c++) chain[c] = _mm256_fmadd_ps(chain[c], factor, term);
    }
    double elapsed = seconds() - start;
    volatile float sink = chain[0][0] + chain[7][0];
    (void)sink;
    return elapsed * 1e3;
}

/// GB/s reading the first `bytes` of `data` `passes` times (after one untimed pass), with eight
/// accumulators so that the additions do not limit it.
static double read_bandwidth(const float *data, size_t bytes, int passes) {
    size_t count = bytes / sizeof(float);
    __m256 sum[8];
    for (int a = 0; a < 8; a++) sum[a] = _mm256_setzero_ps();
    double start = 0;
    for (int pass = -1; pass < passes; pass++) {
        if (pass == 0) start = seconds();
        for (size_t i = 0; i < count; i += 64) {
            for (int a = 0; a < 8; a++) sum[a] = _mm256_add_ps(sum[a], _mm256_load_ps(data + i + 8 * a));
        }
    }
    double elapsed = seconds() - start;
    volatile float sink = sum[0][0] + sum[7][0];
    (void)sink;
    return (double)bytes * passes / elapsed / 1e9;
}

static double median(double *values, int count) {
    qsort(values, count, sizeof *values, ascending);
    return count ? values[count / 2] : 0;
}

int main(int argc, char **argv) {
    int samples = argc > 1 ? atoi(argv[1]) : 100;
    if (samples < 1 || samples > MAX_SAMPLES) {
        fprintf(stderr, "spell_probe: SAMPLES must be 1...%d\n", MAX_SAMPLES);
        return 2;
    }
    pin(0);
    size_t memory = (size_t)256 << 20;
    float *data = aligned_alloc(64, memory);
    if (!data) {
        fprintf(stderr, "spell_probe: cannot allocate %zu bytes\n", memory);
        return 1;
    }
    for (size_t i = 0; i < memory / sizeof(float); i++) data[i] = 1e-9f;
    static double columns[2][5][MAX_SAMPLES];
    int counts[2] = {0, 0};
    printf("round_trip_ns fma_ms L2_GBps L3_GBps memory_GBps\n");
    for (int s = 0; s < samples; s++) {
        double row[5] = {round_trip(), fma_chains(), read_bandwidth(data, 256 << 10, 200),
                         read_bandwidth(data, 8 << 20, 8), read_bandwidth(data, memory, 1)};
        printf("%5.0f %7.2f %7.1f %7.1f %7.1f\n", row[0], row[1], row[2], row[3], row[4]);
        fflush(stdout);
        int slow = row[0] > 200;
        for (int c = 0; c < 5; c++) columns[slow][c][counts[slow]] = row[c];
        counts[slow]++;
    }
    for (int slow = 0; slow < 2; slow++) {
        printf("%s (%d samples), medians:", slow ? "round trip > 200 ns" : "round trip <= 200 ns", counts[slow]);
        for (int c = 0; c < 5; c++) printf(" %.2f", median(columns[slow][c], counts[slow]));
        printf("\n");
    }
    free(data);
    return 0;
}
