// What changes when this machine is in a slow spell: the round trip of a cache line between the two
// cores (`round_trip.h`, as `core_round_trip.c` measures it), against what one core does alone: eight
// chains of fused multiply-adds, and streaming reads from level 2, level 3 and memory. Each sample
// prints one line,
//
//     round_trip_ns  fma_ms  L2_GBps  L3_GBps  memory_GBps
//
// with the round trip measured before and after the single-core work; a sample whose two round trips
// fall on different sides of 200 ns caught a change of spell and is left out of the summary, which
// gives each side's medians. On this VM the round trip flips between about 65 and 350 ns from one
// second to the next, while the single-core columns stay where they were: the slow spells slow what
// crosses between the cores, not the cores.
//
//   gcc -O2 -mavx2 -mfma -pthread scripts/spell_probe.c -o /tmp/spell_probe && /tmp/spell_probe [SAMPLES]
#define _GNU_SOURCE
#include <immintrin.h>
#include <assert.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_support.h"
#include "round_trip.h"

enum { EXCHANGES = 200000, FMA_STEPS = 2000000, MAX_SAMPLES = 10000 };

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
    __m256 total = chain[0];
    for (int c = 1; c < 8; c++) total = _mm256_add_ps(total, chain[c]);
    volatile float sink = total[0];  // every chain's result is used, so none can be left out
    (void)sink;
    return elapsed * 1e3;
}

/// GB/s reading the first `bytes` (a multiple of 256) of `data` `passes` times (after one untimed pass),
/// with eight accumulators so that the additions do not limit it.
static double read_bandwidth(const float *data, size_t bytes, int passes) {
    assert(bytes % 256 == 0);
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
    __m256 total = sum[0];
    for (int a = 1; a < 8; a++) total = _mm256_add_ps(total, sum[a]);
    volatile float sink = total[0];
    (void)sink;
    return (double)bytes * passes / elapsed / 1e9;
}

/// The median of `count` (at least one) values, sorting them.
static double median(double *values, int count) {
    qsort(values, count, sizeof *values, ascending);
    return count % 2 ? values[count / 2] : (values[count / 2 - 1] + values[count / 2]) / 2;
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
    int counts[2] = {0, 0}, mixed = 0;
    const char *names[5] = {"round_trip_ns", "fma_ms", "L2_GBps", "L3_GBps", "memory_GBps"};
    printf("%s %s %s %s %s\n", names[0], names[1], names[2], names[3], names[4]);
    for (int s = 0; s < samples; s++) {
        double before = round_trip_ns(EXCHANGES);
        double row[5] = {before, fma_chains(), read_bandwidth(data, 256 << 10, 200), read_bandwidth(data, 8 << 20, 8),
                         read_bandwidth(data, memory, 1)};
        double after = round_trip_ns(EXCHANGES);
        printf("%5.0f %7.2f %7.1f %7.1f %7.1f\n", row[0], row[1], row[2], row[3], row[4]);
        fflush(stdout);
        int slow = before > 200;
        if (slow != (after > 200)) {
            mixed++;
            continue;
        }
        for (int c = 0; c < 5; c++) columns[slow][c][counts[slow]] = row[c];
        counts[slow]++;
    }
    printf("%d samples changed spell and are left out\n", mixed);
    for (int slow = 0; slow < 2; slow++) {
        printf("round trip %s 200 ns, %d samples:", slow ? ">" : "<=", counts[slow]);
        for (int c = 0; c < 5; c++) {
            if (counts[slow]) printf(" %s %.2f", names[c], median(columns[slow][c], counts[slow]));
            else printf(" %s -", names[c]);
        }
        printf("\n");
    }
    free(data);
    return 0;
}
