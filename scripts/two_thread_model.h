// What the two-thread prefill models in scripts/ (row_split.c, share_pages.c) share: the built-in
// language model's weight products, packed for the engine's kernel with made-up values, and a barrier
// for two threads. Include after packed_linear.h.
#ifndef PRUNELAB_TWO_THREAD_MODEL_H
#define PRUNELAB_TWO_THREAD_MODEL_H
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

#endif
