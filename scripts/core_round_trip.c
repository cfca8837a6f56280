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
#include <stdio.h>
#include <x86intrin.h>

#include "bench_support.h"
#include "round_trip.h"

int main(void) {
    double round_trip = round_trip_ns(2000000);
    unsigned long long before = __rdtsc();
    for (int i = 0; i < 1000000; i++) _mm_pause();
    unsigned long long after = __rdtsc();
    printf("round trip between the cores: %.0f ns; PAUSE: %.0f TSC cycles\n", round_trip, (after - before) / 1e6);
    return 0;
}
