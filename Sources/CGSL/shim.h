#ifndef PRUNELAB_CGSL_SHIM_H
#define PRUNELAB_CGSL_SHIM_H
// GSL headers the Statistics target uses, plus accessors for GSL's global generator-type pointers:
// Swift 6 refuses to read mutable C globals such as gsl_rng_mt19937 ("not concurrency-safe").
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_roots.h>

static inline const gsl_rng_type *prunelab_rng_mt19937(void) { return gsl_rng_mt19937; }
static inline const gsl_rng_type *prunelab_rng_ranlxd2(void) { return gsl_rng_ranlxd2; }
static inline const gsl_rng_type *prunelab_rng_taus2(void) { return gsl_rng_taus2; }

#endif
