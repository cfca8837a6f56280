// Why a pruned prefill falls short of its FLOP speedup: the language model's products at few rows.
//
// Times, single-threaded, the 24 weight products of one prefill of the built-in language model (4 layers
// × query, key, value and output 128→128, MLP 128→512 and 512→128) on M input rows, each as one
// unsplit call: through OpenBLAS with the engine's operand layout (row-major, weights [out, in] used
// transposed), and through a plain AVX2 kernel on pre-transposed weights that never packs them (4 rows ×
// 16 columns in registers; it checks its results against OpenBLAS's). The engine itself splits each
// product into column blocks run by both threads, so a real prefill makes more, smaller calls; this
// measures what the products cost at a given row count before any of that. M = 6, 21, 53, 149 are the
// sequence lengths of the benchmark question with 1, 16, 48 and 144 visual tokens. Prints the median of
// 300 interleaved passes and the rate.
//
//   gcc -O3 -mavx2 -mfma scripts/small_m_sgemm.c -o /tmp/small_m_sgemm \
//       -I/usr/include/x86_64-linux-gnu/openblas-pthread -lopenblas && /tmp/small_m_sgemm
#include <cblas.h>
#include <immintrin.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { KINDS = 6, PRODUCTS = 4 * KINDS, PASSES = 300 };
// K (inputs), N (outputs) of each layer's query, key, value, output, MLP-in and MLP-out weights.
static const int shapes[KINDS][2] = {{128, 128}, {128, 128}, {128, 128}, {128, 128}, {128, 512}, {512, 128}};

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int ascending(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

// C[M, N] = X[M, K] · Wt[K, N] with Wt row-major; N a multiple of 16.
static void unpacked(int m, int n, int k, const float *x, const float *wt, float *c) {
    int row = 0;
    for (; row + 4 <= m; row += 4) {
        for (int col = 0; col < n; col += 16) {
            __m256 acc[4][2];
            for (int r = 0; r < 4; r++) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
            for (int i = 0; i < k; i++) {
                __m256 w0 = _mm256_loadu_ps(wt + i * n + col), w1 = _mm256_loadu_ps(wt + i * n + col + 8);
                for (int r = 0; r < 4; r++) {
                    __m256 a = _mm256_broadcast_ss(x + (row + r) * k + i);
                    acc[r][0] = _mm256_fmadd_ps(a, w0, acc[r][0]);
                    acc[r][1] = _mm256_fmadd_ps(a, w1, acc[r][1]);
                }
            }
            for (int r = 0; r < 4; r++) {
                _mm256_storeu_ps(c + (row + r) * n + col, acc[r][0]);
                _mm256_storeu_ps(c + (row + r) * n + col + 8, acc[r][1]);
            }
        }
    }
    for (; row < m; row++) {
        for (int col = 0; col < n; col += 16) {
            __m256 c0 = _mm256_setzero_ps(), c1 = _mm256_setzero_ps();
            for (int i = 0; i < k; i++) {
                __m256 a = _mm256_broadcast_ss(x + row * k + i);
                c0 = _mm256_fmadd_ps(a, _mm256_loadu_ps(wt + i * n + col), c0);
                c1 = _mm256_fmadd_ps(a, _mm256_loadu_ps(wt + i * n + col + 8), c1);
            }
            _mm256_storeu_ps(c + row * n + col, c0);
            _mm256_storeu_ps(c + row * n + col + 8, c1);
        }
    }
}

int main(void) {
    openblas_set_num_threads(1);
    float *w[PRODUCTS], *wt[PRODUCTS];
    for (int p = 0; p < PRODUCTS; p++) {
        int k = shapes[p % KINDS][0], n = shapes[p % KINDS][1];
        w[p] = malloc(sizeof(float) * k * n);
        wt[p] = malloc(sizeof(float) * k * n);
        for (int i = 0; i < k * n; i++) w[p][i] = 0.001f * (i % 13) - 0.005f;
        for (int o = 0; o < n; o++) for (int i = 0; i < k; i++) wt[p][i * n + o] = w[p][o * k + i];
    }
    const int rows[] = {6, 21, 53, 149};
    for (int r = 0; r < 4; r++) {
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
            for (int p = 0; p < PRODUCTS; p++) unpacked(m, shapes[p % KINDS][1], shapes[p % KINDS][0], x, wt[p], y);
            double t2 = seconds();
            blas[pass] = t1 - t0;
            plain[pass] = t2 - t1;
        }
        float *z = malloc(sizeof(float) * m * 512);
        double largest = 0;
        for (int p = 0; p < PRODUCTS; p++) {
            int k = shapes[p % KINDS][0], n = shapes[p % KINDS][1];
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1, x, k, w[p], k, 0, y, n);
            unpacked(m, n, k, x, wt[p], z);
            for (int i = 0; i < m * n; i++) largest = fmax(largest, fabs((double)y[i] - z[i]) / (fabs(y[i]) + 1e-3));
        }
        free(z);
        if (largest > 1e-4) { fprintf(stderr, "M = %d: the kernels disagree (relative %g)\n", m, largest); return 1; }
        qsort(blas, PASSES, sizeof(double), ascending);
        qsort(plain, PASSES, sizeof(double), ascending);
        double b = blas[PASSES / 2], u = plain[PASSES / 2];
        printf("M = %3d  OpenBLAS %.3f ms (%5.1f GFLOP/s)  unpacked AVX2 %.3f ms (%5.1f GFLOP/s)\n",
               m, 1e3 * b, flops / b / 1e9, 1e3 * u, flops / u / 1e9);
        free(x);
        free(y);
    }
    return 0;
}
