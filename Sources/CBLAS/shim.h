#ifndef PRUNELAB_CBLAS_SHIM_H
#define PRUNELAB_CBLAS_SHIM_H
// OpenBLAS's CBLAS interface (Debian: /usr/include/x86_64-linux-gnu/cblas.h via libopenblas-dev).
#include <cblas.h>
#endif
