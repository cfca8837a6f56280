// What the timing programs in scripts/ share: a monotonic clock, a comparison for sorting timings into a
// median, and pinning a thread to one CPU. Define _GNU_SOURCE before including it (for the affinity call).
#ifndef PRUNELAB_BENCH_SUPPORT_H
#define PRUNELAB_BENCH_SUPPORT_H
#include <pthread.h>
#include <sched.h>
#include <time.h>

/// Seconds on the monotonic clock.
static inline double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/// `qsort` order for doubles, ascending.
static inline int ascending(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/// Pins the calling thread to `cpu`.
static inline void pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

#endif
