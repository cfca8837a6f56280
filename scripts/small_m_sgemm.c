// The language model's products at few rows: OpenBLAS against the engine's packed-weight kernel.
//
// Times, single-threaded, the 24 weight products of one prefill of the built-in language model (4 layers
// × query, key, value and output 128→128, MLP 128→512 and 512→128) on M input rows, each as one
// unsplit call: through OpenBLAS with the engine's former operand layout (row-major, weights [out, in]
// used transposed; OpenBLAS packs them on every call), and through the engine's inference kernel
// (Sources/CKernels) on weights packed once, as a prefill now runs them. It checks that the two agree.
// A prefill splits each product over both threads; this measures the products alone, before any of that.
// M = 6, 13, 21, 53, 149 are the sequence lengths of the benchmark question with 1, 8, 16, 48 and 144 visual
// tokens. Prints the median of 300 interleaved passes and the rate.
//
//   gcc -O3 -mavx2 -mfma -ISources/CKernels/include scripts/small_m_sgemm.c Sources/CKernels/packed_linear.c \
//       -o /tmp/small_m_sgemm -I/usr/include/x86_64-linux-gnu/openblas-pthread -lopenblas -lm && /tmp/small_m_sgemm
#define _GNU_SOURCE
#include <cblas.h>
#include "packed_linear.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench_support.h"

enum { KINDS = 6, PRODUCTS = 4 * KINDS, PASSES = 300 };
// K (inputs), N (outputs) of each layer's query, key, value, output, MLP-in and MLP-out weights.
static const int shapes[KINDS][2] = {{128, 128}, {128, 128}, {128, 128}, {128, 128}, {128, 512}, {512, 128}};

int main(void) {
    openblas_set_num_threads(1);
    float *w[PRODUCTS], *packed[PRODUCTS];
    for (int p = 0; p < PRODUCTS; p++) {
        int k = shapes[p % KINDS][0], n = shapes[p % KINDS][1];
        w[p] = malloc(sizeof(float) * k * n);
        packed[p] = aligned_alloc(64, sizeof(float) * prunelab_packed_size(n, k));
        for (int i = 0; i < k * n; i++) w[p][i] = 0.001f * (i % 13) - 0.005f;
        prunelab_pack_weights(n, k, w[p], packed[p]);
    }
    const int rows[] = {6, 13, 21, 53, 149};
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        int m = rows[r];
        float *x = malloc(sizeof(float) * m * 512), *y = malloc(sizeof(float) * m * 512);
        for (int i = 0; i < m * 512; i++) x[i] = 0.01f * (i % 7) - 0.02f;
        double blas[PASSES], plain[PASSES], flops = 0;
        for (int p = 0; p < PRODUCTS; p++) flops += 2.0 * m * shapes[p % KINDS][0] * shapes[p % KINDS][1];
        for (int pass = 0; pass < PASSES; pass++) {  // interleaved, so drift hits both alike
            double t0 = seconds();
            for (int p = 0; p < PRODUCTS; p++) {
                int k = shapes[p % KINDS][0], n = shapes[p % KINDS][1];
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1, x, k, w[p], k, 0, y, n);
            }
            double t1 = seconds();
            for (int p = 0; p < PRODUCTS; p++) {
                int k = shapes[p % KINDS][0], n = shapes[p % KINDS][1];
                prunelab_packed_linear(m, n, k, x, k, packed[p], NULL, y, n, 0, prunelab_panel_count(n));
            }
            double t2 = seconds();
            blas[pass] = t1 - t0;
            plain[pass] = t2 - t1;
        }
        float *z = malloc(sizeof(float) * m * 512);
        double largest = 0;
        for (int p = 0; p < PRODUCTS; p++) {
            int k = shapes[p % KINDS][0], n = shapes[p % KINDS][1];
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1, x, k, w[p], k, 0, y, n);
            prunelab_packed_linear(m, n, k, x, k, packed[p], NULL, z, n, 0, prunelab_panel_count(n));
            for (int i = 0; i < m * n; i++) largest = fmax(largest, fabs((double)y[i] - z[i]) / (fabs(y[i]) + 1e-3));
        }
        free(z);
        if (largest > 1e-4) { fprintf(stderr, "M = %d: the kernels disagree (relative %g)\n", m, largest); return 1; }
        qsort(blas, PASSES, sizeof(double), ascending);
        qsort(plain, PASSES, sizeof(double), ascending);
        double b = blas[PASSES / 2], u = plain[PASSES / 2];
        printf("M = %3d  OpenBLAS %.3f ms (%5.1f GFLOP/s)  packed weights %.3f ms (%5.1f GFLOP/s)\n",
               m, 1e3 * b, flops / b / 1e9, 1e3 * u, flops / u / 1e9);
        free(x);
        free(y);
    }
    return 0;
}
