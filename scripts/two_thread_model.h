// What the two-thread prefill models in scripts/ (row_split.c, share_pages.c) share: the built-in
// language model's weight products, packed for the engine's kernel with made-up values, a barrier for two
// threads, and the timing of interleaved variants of a pass. Include after packed_linear.h and
// bench_support.h.
#ifndef PRUNELAB_TWO_THREAD_MODEL_H
#define PRUNELAB_TWO_THREAD_MODEL_H
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

enum { LAYERS = 4, KINDS = 6, WIDTH = 128, HIDDEN = 512 };
/// Inputs and outputs of each layer's query, key, value, output, MLP-in and MLP-out weights.
static const int shapes[KINDS][2] = {{WIDTH, WIDTH}, {WIDTH, WIDTH}, {WIDTH, WIDTH}, {WIDTH, WIDTH}, {WIDTH, HIDDEN}, {HIDDEN, WIDTH}};
static float *weights[LAYERS][KINDS];

/// Fills `weights` with packed made-up values.
static void pack_model_weights(void) {
    for (int l = 0; l < LAYERS; l++)
        for (int p = 0; p < KINDS; p++) {
            int inputs = shapes[p][0], outputs = shapes[p][1];
            float *w = malloc(sizeof(float) * inputs * outputs);
            weights[l][p] = aligned_alloc(64, sizeof(float) * prunelab_packed_size(outputs, inputs));
            for (int i = 0; i < inputs * outputs; i++) w[i] = 0.001f * ((i + l) % 13) - 0.005f;
            prunelab_pack_weights(outputs, inputs, w, weights[l][p]);
            free(w);
        }
}

static atomic_int barrier_arrived, barrier_generation;

/// Returns once both threads have called it.
static void barrier(void) {
    int seen = atomic_load(&barrier_generation);
    if (atomic_fetch_add(&barrier_arrived, 1) == 1) {
        atomic_store(&barrier_arrived, 0);
        atomic_fetch_add(&barrier_generation, 1);
    } else {
        while (atomic_load(&barrier_generation) == seen) __builtin_ia32_pause();
    }
}

static struct {
    int runs;
    void (*pass)(int thread);
    void (*helper_setup)(void);
} timed_job;

static void *timed_helper(void *unused) {
    (void)unused;
    pin(1);
    if (timed_job.helper_setup) timed_job.helper_setup();
    barrier();
    for (int i = 0; i < timed_job.runs; i++) {
        barrier();
        timed_job.pass(1);
        barrier();
    }
    return NULL;
}

/// `pass(thread)` on two threads pinned to CPUs 0 and 1, in `variants` variants interleaved pass by pass
/// (so that drift in the machine's speed hits every variant alike): `select(variant)` runs on the calling
/// thread before each pass while the other waits, and `helper_setup` (if not NULL) once on the other
/// thread first. Writes each variant's median over `passes` timed passes (after `warmup` untimed ones),
/// in seconds, to `medians`.
static void time_two_thread_variants(int variants, int passes, int warmup, void (*select)(int variant),
                                     void (*pass)(int thread), void (*helper_setup)(void), double *medians) {
    timed_job.runs = variants * passes + warmup;
    timed_job.pass = pass;
    timed_job.helper_setup = helper_setup;
    pin(0);
    pthread_t thread;
    pthread_create(&thread, NULL, timed_helper, NULL);
    barrier();
    double *times = malloc(sizeof(double) * variants * passes);
    for (int i = 0; i < timed_job.runs; i++) {
        int variant = i % variants;
        select(variant);
        barrier();
        double start = seconds();
        pass(0);
        barrier();
        if (i >= warmup) times[variant * passes + (i - warmup) / variants] = seconds() - start;
    }
    pthread_join(thread, NULL);
    for (int v = 0; v < variants; v++) {
        qsort(times + v * passes, passes, sizeof(double), ascending);
        medians[v] = times[v * passes + passes / 2];
    }
    free(times);
}

#endif
