// How long a cache line takes to go from one core to the other and back on this machine: the floor under
// every hand-off of work to the engine's helper thread (`WorkerPool`), which needs at least that round
// trip (the job is published, the helper reports completion).
//
// Two threads, pinned to CPUs 0 and 1, bounce one atomic counter: each waits (spinning with PAUSE, as the
// helpers do) for the other's increment and answers with its own. Prints the mean round trip over
// 2,000,000 exchanges, and the cost of one PAUSE in time-stamp-counter cycles.
//
//   gcc -O2 -pthread scripts/core_round_trip.c -o /tmp/core_round_trip && /tmp/core_round_trip
#define _GNU_SOURCE
#include <immintrin.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>

#include "bench_support.h"

enum { EXCHANGES = 2000000 };
static _Atomic long counter __attribute__((aligned(64)));

/// Waits until the counter reads `value`.
static void await(long value) {
    while (atomic_load_explicit(&counter, memory_order_acquire) != value) _mm_pause();
}

static void *answer(void *unused) {
    (void)unused;
    pin(1);
    for (long i = 1; i <= EXCHANGES; i++) {
        await(2 * i - 1);
        atomic_store_explicit(&counter, 2 * i, memory_order_release);
    }
    return NULL;
}

int main(void) {
    pin(0);
    pthread_t other;
    pthread_create(&other, NULL, answer, NULL);
    double start = seconds();
    for (long i = 1; i <= EXCHANGES; i++) {
        atomic_store_explicit(&counter, 2 * i - 1, memory_order_release);
        await(2 * i);
    }
    double elapsed = seconds() - start;
    pthread_join(other, NULL);
    unsigned long long before = __rdtsc();
    for (int i = 0; i < 1000000; i++) _mm_pause();
    unsigned long long after = __rdtsc();
    printf("round trip between the cores: %.0f ns; PAUSE: %.0f TSC cycles\n", elapsed / EXCHANGES * 1e9,
           (after - before) / 1e6);
    return 0;
}
