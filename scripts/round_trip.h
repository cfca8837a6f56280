// The round trip of a cache line between CPUs 0 and 1, shared by `core_round_trip.c` and `spell_probe.c`.
// Define _GNU_SOURCE and include it after `bench_support.h`; the calling thread is pinned to CPU 0.
#ifndef PRUNELAB_ROUND_TRIP_H
#define PRUNELAB_ROUND_TRIP_H
#include <immintrin.h>
#include <stdatomic.h>

static _Atomic long round_trip_counter __attribute__((aligned(64)));
static long round_trip_exchanges;

/// Waits (spinning with PAUSE, as the engine's helpers do) until the counter reads `value`.
static inline void round_trip_await(long value) {
    while (atomic_load_explicit(&round_trip_counter, memory_order_acquire) != value) _mm_pause();
}

static void *round_trip_answer(void *unused) {
    (void)unused;
    pin(1);
    for (long i = 1; i <= round_trip_exchanges; i++) {
        round_trip_await(2 * i - 1);
        atomic_store_explicit(&round_trip_counter, 2 * i, memory_order_release);
    }
    return NULL;
}

/// Mean round trip in ns over `exchanges` increments of one counter bounced between CPUs 0 and 1.
static inline double round_trip_ns(long exchanges) {
    pin(0);
    round_trip_exchanges = exchanges;
    atomic_store(&round_trip_counter, 0);
    pthread_t other;
    pthread_create(&other, NULL, round_trip_answer, NULL);
    double start = seconds();
    for (long i = 1; i <= exchanges; i++) {
        atomic_store_explicit(&round_trip_counter, 2 * i - 1, memory_order_release);
        round_trip_await(2 * i);
    }
    double elapsed = seconds() - start;
    pthread_join(other, NULL);
    return elapsed / exchanges * 1e9;
}

#endif
