#!/usr/bin/env python3
"""Generate reference values for PruneLab's StatisticsTests.

What it makes
-------------
Tests/StatisticsTests/Fixtures/reference.json: a pretty-printed JSON object
with a "generator" block (library versions) and one list of cases per test
family:

    ttest_rel, wilcoxon, mcnemar, sign_test, permutation, friedman,
    multipletests, studentized_range, bootstrap

Each case carries a "name" saying where its inputs came from: either a
SciPy / statsmodels test-suite case (class/function named) or
"generated ... seed=S" (numpy.random.default_rng(S)).  Floats are written
with Python's shortest round-trip repr, so they parse back to the identical
IEEE double.  Infinite values are written as the strings "inf" / "-inf";
NaN never appears (json.dumps(allow_nan=False) enforces it).

How to rerun
------------
From the package root (/work/main):

    pip install scipy==1.17.1 statsmodels==0.15.0
    python3 scripts/make_stat_fixtures.py

Generated with scipy 1.17.1, statsmodels 0.15.0, numpy 2.4.6 (Python 3.11).
The exact versions used for a given file are recorded in its "generator"
block.  All inputs use fixed seeds; the bootstrap cases are Monte Carlo but
seeded too, so reruns with the same versions reproduce the file byte for byte.

SciPy conventions this file encodes (read from scipy 1.17.1 source)
--------------------------------------------------------------------
wilcoxon (scipy/stats/_wilcoxon.py)
  * d = a - b (or a itself in the one-sample form).  r+ / r- are the sums of
    the average ranks of |d| over d > 0 / d < 0.
  * Returned statistic: alternative="two-sided" -> min(r+, r-);
    "less" / "greater" -> r+.
  * zero_method="wilcox": zeros are dropped before ranking; n = #nonzero.
    zero_method="pratt": zeros are kept for ranking (they take the lowest
    ranks) but contribute to neither r+ nor r-; n counts the zeros, and the
    normal approximation is adjusted (Cureton 1967) with n0 = #zeros:
        mean = n(n+1)/4 - n0(n0+1)/4
        var  = [n(n+1)(2n+1) - n0(n0+1)(2n0+1) - sum(t^3 - t)/2] / 24
    where the tie sum excludes the tie group formed by the zeros.
    With "wilcox" the same formula holds with n0 = 0.
  * Tie correction: var = [n(n+1)(2n+1) - sum_over_tie_groups(t^3 - t)/2]/24
    (groups of equal |d|; singletons contribute 0).
  * z = (r+ - mean)/sqrt(var), always computed from r+ (not from min).
    Continuity correction (correction=True): z -= sign * 0.5/sqrt(var), with
    sign = +1 for "greater", -1 for "less", sign(z) for "two-sided".
    p: "greater" sf(z), "less" cdf(z), "two-sided" 2*sf(|z|).
    The reported zstatistic is this (corrected) z for one-sided tests and
    -|z| for two-sided.  SciPy calls this method "asymptotic" ("approx" is an
    accepted alias); the fixtures label it "approx" and call "asymptotic".
  * Exact (method="exact"): null pmf of r+ over 0..n(n+1)/2 built by the
    recursion c_k = (c_{k-1} shifted by 0 and by k) / 2.
    "less": P(R+ <= ceil(r+)); "greater": P(R+ >= floor(r+));
    "two-sided": min(1, 2*min(P(R+ >= floor r+), P(R+ <= ceil r+))).
    (cdf(k) is summed from the left when k <= n(n+1)/4, else 1 - sf(k+1);
    sf(k) from the right when k > mean, else 1 - cdf(k-1).)
    Exact cases here contain no ties and no zeros.
  * method="auto" (not used here): exact if n <= 50 and no ties/zeros;
    else permutation if n <= 13; else asymptotic.

permutation_test (scipy/stats/_resampling.py), permutation_type="samples"
  * Paired: each pair (a_i, b_i) is swapped or not (sign flip of d_i); with
    n_resamples=inf all 2^n assignments (including the observed one) are
    enumerated, so the test is exact and no +1 adjustment is made.
  * gamma = |observed| * 100 * eps(float64)
    less:    p = #{T <= observed + gamma} / 2^n
    greater: p = #{T >= observed - gamma} / 2^n
    two-sided: p = min(1, 2 * min(p_less, p_greater))  (doubling, not
    |T| >= |observed|).

friedmanchisquare (scipy/stats/_stats_py.py)
  * within-block average ranks; chi2_uncorr = 12/(n k (k+1)) sum R_j^2
    - 3 n (k+1) (R_j = column rank sums);
    tie-corrected statistic = chi2_uncorr / C,
    C = 1 - sum_over_blocks sum_over_tie_groups (t^3 - t) / (n k (k^2 - 1)).
    p = chi2.sf(statistic, k - 1).

mcnemar (statsmodels/stats/contingency_tables.py), b = n01, c = n10
  * exact: statistic = min(b, c); p = min(1, 2 * binom.cdf(min(b,c), b+c, .5)).
  * chi2: statistic = (|b - c| - corr)^2 / (b + c), corr = 1 if correction;
    NOT clamped at 0 when |b - c| < 1 (b == c gives 1/(b+c));  p = chi2.sf(., 1).
  * b + c = 0: exact -> statistic 0, p 1 (included);  chi2 with correction ->
    statistic inf, p 0 (1/0);  chi2 without correction -> nan (0/0).  The two
    chi2 b+c=0 cases are meaningless and are skipped.
"""

import json
import math
import os

import numpy as np
import scipy
import scipy.stats as st
import statsmodels
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.descriptivestats import sign_test as sm_sign_test
from statsmodels.stats.multitest import multipletests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "StatisticsTests", "Fixtures", "reference.json")

ALTERNATIVES = ("two-sided", "less", "greater")


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def fnum(x):
    """Python float, with +-inf encoded as strings; NaN is an error."""
    x = float(x)
    if math.isnan(x):
        raise ValueError("NaN in fixture")
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def flist(xs):
    return [fnum(x) for x in np.asarray(xs, dtype=float).ravel()]


def no_ties_no_zeros(d):
    d = np.asarray(d, dtype=float)
    ad = np.abs(d)
    return bool(np.all(d != 0) and len(np.unique(ad)) == len(ad))


# --------------------------------------------------------------------------
# paired t-test
# --------------------------------------------------------------------------

def ttest_rel_case(name, a, b, alternative, confidence):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    res = st.ttest_rel(a, b, alternative=alternative)
    ci = res.confidence_interval(confidence_level=confidence)
    return {
        "name": name, "a": flist(a), "b": flist(b),
        "alternative": alternative, "confidence": confidence,
        "statistic": fnum(res.statistic), "pvalue": fnum(res.pvalue),
        "df": fnum(res.df), "ci_low": fnum(ci.low), "ci_high": fnum(ci.high),
    }


def make_ttest_rel():
    cases = []
    # scipy test_stats.py::test_ttest_rel (regression values, n=100)
    r1 = np.linspace(1, 100, 100)
    r2 = np.linspace(1.01, 99.989, 100)
    for alt in ALTERNATIVES:
        cases.append(ttest_rel_case(
            f"scipy test_stats test_ttest_rel linspace n=100 ({alt})",
            r1, r2, alt, 0.95))
    # scipy test_stats.py::test_ttest_rel_ci_1d (R t.test, conf.level=0.85)
    rng = np.random.default_rng(3749065329432213059)
    x = rng.normal(size=10, loc=1.5, scale=2)
    y = rng.normal(size=10, loc=2, scale=2)
    for alt in ALTERNATIVES:
        cases.append(ttest_rel_case(
            f"scipy test_stats test_ttest_rel_ci_1d ({alt}, R reference)",
            x, y, alt, 0.85))
    # scipy test_stats.py::test_ttest_rel_nan_2nd_arg (R: t=-2, p=0.1835)
    cases.append(ttest_rel_case(
        "scipy test_stats test_ttest_rel_nan_2nd_arg (NaN pair removed)",
        [1.0, 2.0, 1.0, 2.0][1:], [np.nan, 2.0, 3.0, 4.0][1:], "two-sided", 0.95))
    # generated
    specs = [(3, 1, "two-sided", 0.95), (5, 2, "less", 0.95),
             (8, 3, "greater", 0.9), (12, 4, "two-sided", 0.9),
             (20, 5, "greater", 0.95), (30, 6, "less", 0.9),
             (45, 7, "two-sided", 0.95), (60, 8, "less", 0.95),
             (60, 9, "greater", 0.9)]
    for n, seed, alt, conf in specs:
        rng = np.random.default_rng(seed)
        a = rng.normal(10.0, 2.0, n)
        b = a + rng.normal(-0.4, 1.0, n)
        cases.append(ttest_rel_case(f"generated n={n} seed={seed}", a, b, alt, conf))
    return cases


# --------------------------------------------------------------------------
# Wilcoxon signed-rank
# --------------------------------------------------------------------------

def wilcoxon_case(name, a, b=None, zero_method="wilcox", correction=False,
                  alternative="two-sided", method="approx"):
    a = np.asarray(a, dtype=float)
    b = None if b is None else np.asarray(b, dtype=float)
    d = a if b is None else a - b
    if method == "exact":
        assert no_ties_no_zeros(d), name
    sp_method = "exact" if method == "exact" else "asymptotic"
    res = st.wilcoxon(a, b, zero_method=zero_method, correction=correction,
                      alternative=alternative, method=sp_method)
    case = {"name": name, "a": flist(a)}
    if b is not None:
        case["b"] = flist(b)
    case.update({
        "zero_method": zero_method, "correction": bool(correction),
        "alternative": alternative, "method": method,
        "statistic": fnum(res.statistic), "pvalue": fnum(res.pvalue),
    })
    if method == "approx" and hasattr(res, "zstatistic"):
        case["zstatistic"] = fnum(res.zstatistic)
    return case


def make_wilcoxon():
    cases = []
    W = wilcoxon_case
    # --- scipy test_morestats.py TestWilcoxon -----------------------------
    src = "scipy test_morestats TestWilcoxon"
    cases.append(W(f"{src}.test_pratt (R coin)", [1, 2, 3, 4], [1, 2, 3, 5],
                   "pratt", False, "two-sided", "approx"))
    freq = [1, 4, 16, 15, 8, 4, 5, 1, 2]
    xacc = np.concatenate([[u] * v for u, v in zip(range(-4, 5), freq)])
    for zm in ("pratt", "wilcox"):
        cases.append(W(f"{src}.test_accuracy_wilcoxon freq data ({zm})",
                       xacc, np.zeros_like(xacc), zm, False, "two-sided", "approx"))
    x12 = [120, 114, 181, 188, 180, 146, 121, 191, 132, 113, 127, 112]
    y12 = [133, 143, 119, 189, 112, 199, 198, 113, 115, 121, 142, 187]
    for corr in (False, True):
        cases.append(W(f"{src}.test_accuracy_wilcoxon R data correction={corr}",
                       x12, y12, "wilcox", corr, "two-sided", "approx"))
    for corr in (False, True):
        cases.append(W(f"{src}.test_wilcoxon_tie rep(0.1,10) correction={corr}",
                       [0.1] * 10, None, "wilcox", corr, "two-sided", "approx"))
    xo = [125, 115, 130, 140, 140, 115, 140, 125, 140, 135]
    yo = [110, 122, 125, 120, 140, 124, 123, 137, 135, 145]
    for alt in ("less", "greater"):
        for corr in (False, True):
            cases.append(W(f"{src}.test_onesided ({alt}, correction={corr}, R)",
                           xo, yo, "wilcox", corr, alt, "approx"))
    xe = [1.81, 0.82, 1.56, -0.48, 0.81, 1.28, -1.04, 0.23, -0.75, 0.14]
    ye = [0.71, 0.65, -0.2, 0.85, -1.1, -0.45, -0.84, -0.24, -0.68, -0.76]
    xe2 = np.arange(0., 20.) + 0.5
    ye2 = np.arange(20., 0., -1.)
    for alt in ALTERNATIVES:
        cases.append(W(f"{src}.test_exact_pval n=10 ({alt}, R)",
                       xe, ye, "wilcox", False, alt, "exact"))
        cases.append(W(f"{src}.test_exact_pval n=20 arange ({alt})",
                       xe2, ye2, "wilcox", False, alt, "exact"))
    for x in ([-1, -2, 3], [-1, 2, -3, -4, 5], [-1, -2, 3, -4, -5, -6, 7, 8]):
        cases.append(W(f"{src}.test_exact_p_1 n={len(x)} (p=1)",
                       x, None, "wilcox", False, "two-sided", "exact"))
    xa = [3, 5, 23, 7, 243, 58, 98, 2, 8, -3, 9, 11]
    ya = [2, -2, 1, 23, 0, 5, 12, 18, 99, 12, 17, 27]
    cases.append(W(f"{src}.test_approx_mode", xa, ya, "wilcox", False,
                   "two-sided", "approx"))
    v1 = [62, 66, 61, 68, 74, 62, 68, 62, 55, 59]
    v2 = [71, 71, 69, 61, 75, 71, 77, 72, 62, 65]
    cases.append(W(f"{src}.test_symmetry_gh19872 (less, approx)", v1, v2,
                   "wilcox", False, "less", "approx"))
    cases.append(W(f"{src}.test_symmetry_gh19872 (greater, swapped, approx)",
                   v2, v1, "wilcox", False, "greater", "approx"))

    # --- generated exact: continuous data, no ties/zeros -----------------
    for n, seed in ((5, 11), (10, 12), (20, 13), (30, 14), (50, 15)):
        rng = np.random.default_rng(seed)
        a = rng.normal(0.0, 1.0, n)
        b = a - rng.normal(0.3, 1.0, n)
        for alt in ALTERNATIVES:
            cases.append(W(f"generated exact n={n} seed={seed}", a, b,
                           "wilcox", False, alt, "exact"))
    # one-sample exact
    rng = np.random.default_rng(16)
    d = rng.normal(-0.2, 1.0, 15)
    cases.append(W("generated exact one-sample n=15 seed=16", d, None,
                   "wilcox", False, "less", "exact"))

    # --- generated approx: integer data with ties and zeros --------------
    specs = [(15, 21), (40, 22), (100, 23), (200, 24)]
    for n, seed in specs:
        rng = np.random.default_rng(seed)
        a = rng.integers(0, 12, n).astype(float)
        b = a - rng.integers(-4, 6, n)      # many zeros and tied |d|
        for zm in ("wilcox", "pratt"):
            for corr in (False, True):
                for alt in ALTERNATIVES:
                    cases.append(W(f"generated ties+zeros n={n} seed={seed}",
                                   a, b, zm, corr, alt, "approx"))
    # ties but no zeros, one-sample form
    rng = np.random.default_rng(25)
    d = rng.choice([-3., -2., -1., 1., 2., 3., 4.], size=60)
    for corr in (False, True):
        for alt in ALTERNATIVES:
            cases.append(W("generated ties no zeros one-sample n=60 seed=25",
                           d, None, "wilcox", corr, alt, "approx"))
    # continuous data through the normal approximation (no ties)
    rng = np.random.default_rng(26)
    a = rng.normal(0, 1, 80)
    b = a - rng.normal(0.1, 1, 80)
    for alt in ALTERNATIVES:
        cases.append(W("generated continuous approx n=80 seed=26", a, b,
                       "wilcox", True, alt, "approx"))
    return cases


# --------------------------------------------------------------------------
# McNemar
# --------------------------------------------------------------------------

def mcnemar_case(name, table, exact, correction):
    res = mcnemar(np.asarray(table), exact=exact, correction=correction)
    return {"name": name, "table": [[int(v) for v in row] for row in table],
            "exact": bool(exact), "correction": bool(correction),
            "statistic": fnum(res.statistic), "pvalue": fnum(res.pvalue)}


def make_mcnemar():
    cases = []
    sm = "statsmodels test_nonparametric"
    big = {"f_obs1": [[101, 121], [59, 33]], "f_obs2": [[101, 70], [59, 33]],
           "f_obs3": [[101, 80], [59, 33]]}
    for key, t in big.items():
        for corr in (True, False):
            cases.append(mcnemar_case(
                f"{sm} test_mcnemar_chisquare {key} correction={corr} (R)",
                t, False, corr))
    exact_tables = {"f_obs1": [[101, 121], [59, 33]], "f_obs4": [[101, 30], [60, 33]],
                    "f_obs5": [[101, 10], [30, 33]], "f_obs6": [[101, 10], [10, 33]]}
    for key, t in exact_tables.items():
        cases.append(mcnemar_case(f"{sm} test_mcnemar_exact {key}", t, True, True))
    t0 = [[23, 15], [19, 31]]
    sc = "statsmodels test_contingency_tables test_mcnemar tables[0]"
    cases.append(mcnemar_case(f"{sc} exact (R binom)", t0, True, True))
    cases.append(mcnemar_case(f"{sc} chi2 correction=True (R)", t0, False, True))
    cases.append(mcnemar_case(f"{sc} chi2 correction=False", t0, False, False))
    # small / edge cases
    cases.append(mcnemar_case("b+c=0 exact (p=1; chi2 variants skipped)",
                              [[12, 0], [0, 9]], True, True))
    cases.append(mcnemar_case("small b=0 c=5 exact", [[7, 0], [5, 3]], True, True))
    cases.append(mcnemar_case("small b=1 c=1 exact", [[7, 1], [1, 3]], True, True))
    cases.append(mcnemar_case("small b=2 c=9 exact", [[30, 2], [9, 40]], True, True))
    cases.append(mcnemar_case("b==c chi2 corrected (unclamped: 1/(b+c))",
                              [[30, 10], [10, 40]], False, True))
    cases.append(mcnemar_case("|b-c|=1 chi2 corrected (statistic 0)",
                              [[30, 10], [11, 40]], False, True))
    for corr in (True, False):
        cases.append(mcnemar_case(f"large b=160 c=120 correction={corr}",
                                  [[500, 160], [120, 700]], False, corr))
    return cases


# --------------------------------------------------------------------------
# sign test
# --------------------------------------------------------------------------

def sign_case(name, a, b, alternative):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    d = a - b
    npos = int(np.sum(d > 0))
    nneg = int(np.sum(d < 0))
    p = st.binomtest(npos, npos + nneg, 0.5, alternative=alternative).pvalue
    case = {"name": name, "a": flist(a), "b": flist(b), "alternative": alternative,
            "n_positive": npos, "n_negative": nneg, "pvalue": fnum(p)}
    if alternative == "two-sided":
        m, psm = sm_sign_test(d)
        case["statsmodels_m"] = fnum(m)
        case["statsmodels_pvalue"] = fnum(psm)
    return case


def make_sign_test():
    cases = []
    specs = [(10, 31, "two-sided"), (15, 32, "less"), (20, 33, "greater"),
             (25, 34, "two-sided"), (40, 35, "two-sided"), (60, 36, "greater"),
             (100, 37, "two-sided")]
    for n, seed, alt in specs:
        rng = np.random.default_rng(seed)
        a = rng.integers(0, 10, n).astype(float)
        b = a - rng.integers(-3, 5, n)          # includes zeros
        cases.append(sign_case(f"generated n={n} seed={seed} (zeros dropped)",
                               a, b, alt))
    # balanced: n+ == n- -> p = 1
    cases.append(sign_case("balanced 4 vs 4 (p=1)",
                           [1, 2, 3, 4, 5, 6, 7, 8], [0, 1, 2, 3, 6, 7, 8, 9],
                           "two-sided"))
    # all positive
    cases.append(sign_case("all positive n=8", [2, 3, 4, 5, 6, 7, 8, 9],
                           [1, 1, 1, 1, 1, 1, 1, 1], "two-sided"))
    return cases


# --------------------------------------------------------------------------
# exact paired permutation test
# --------------------------------------------------------------------------

def _mean_diff(x, y, axis):
    return np.mean(x - y, axis=axis)


def permutation_case(name, a, b, alternative):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    assert len(a) <= 20
    res = st.permutation_test((a, b), _mean_diff, permutation_type="samples",
                              vectorized=True, n_resamples=np.inf,
                              alternative=alternative, batch=1 << 15)
    return {"name": name, "a": flist(a), "b": flist(b), "alternative": alternative,
            "statistic": fnum(res.statistic), "pvalue": fnum(res.pvalue)}


def make_permutation():
    cases = []
    specs = [(6, 41, "two-sided"), (8, 42, "greater"), (10, 43, "less"),
             (12, 44, "two-sided"), (16, 45, "greater"), (20, 46, "two-sided")]
    for n, seed, alt in specs:
        rng = np.random.default_rng(seed)
        a = rng.normal(5.0, 1.0, n)
        b = a - rng.normal(0.4, 1.0, n)
        cases.append(permutation_case(f"generated n={n} seed={seed}", a, b, alt))
    # ties in |d| (integer data: d = 1, -1, 2, 2, -2, 3, ...)
    a = [5, 6, 7, 9, 4, 8, 10, 6, 7, 5, 9, 8]
    b = [4, 7, 5, 7, 6, 5, 9, 5, 4, 6, 7, 8]
    for alt in ALTERNATIVES:
        cases.append(permutation_case("hand-made ties in |d| and one zero n=12",
                                      a, b, alt))
    a = [3.5, 2.0, 4.25, 1.0, 6.0, 2.5, 3.0, 5.5, 4.0]
    b = [3.0, 2.0, 3.25, 2.0, 4.0, 2.5, 2.0, 4.0, 4.5]
    cases.append(permutation_case("hand-made two zero differences n=9",
                                  a, b, "two-sided"))
    return cases


# --------------------------------------------------------------------------
# Friedman
# --------------------------------------------------------------------------

def friedman_case(name, data, check=None):
    """data: rows = blocks (data sets), columns = treatments (methods)."""
    data = np.asarray(data, dtype=float)
    n, k = data.shape
    res = st.friedmanchisquare(*[data[:, j] for j in range(k)])
    ranks = np.apply_along_axis(st.rankdata, 1, data)   # 1 = smallest, ties averaged
    rank_sums = ranks.sum(axis=0)
    chi2_u = 12.0 / (n * k * (k + 1)) * np.sum(rank_sums ** 2) - 3.0 * n * (k + 1)
    p_u = st.chi2.sf(chi2_u, k - 1)
    denom = n * (k - 1) - chi2_u
    assert denom > 0, name
    f = (n - 1) * chi2_u / denom
    pf = st.f.sf(f, k - 1, (k - 1) * (n - 1))
    if check is not None:
        check(chi2_u, f, ranks.mean(axis=0))
    return {"name": name, "data": [flist(row) for row in data],
            "statistic": fnum(res.statistic), "pvalue": fnum(res.pvalue),
            "statistic_uncorrected": fnum(chi2_u), "pvalue_uncorrected": fnum(p_u),
            "mean_ranks": flist(ranks.mean(axis=0)),
            "iman_davenport_f": fnum(f), "iman_davenport_pvalue": fnum(pf)}


# scipy test_stats.py TestFriedmanChiSquare (samples = columns)
SCIPY_FRIEDMAN_X1 = [
    [0.763, 0.599, 0.954, 0.628, 0.882, 0.936, 0.661, 0.583, 0.775, 1.0, 0.94,
     0.619, 0.972, 0.957],
    [0.768, 0.591, 0.971, 0.661, 0.888, 0.931, 0.668, 0.583, 0.838, 1.0, 0.962,
     0.666, 0.981, 0.978],
    [0.771, 0.590, 0.968, 0.654, 0.886, 0.916, 0.609, 0.563, 0.866, 1.0, 0.965,
     0.614, 0.9751, 0.946],
    [0.798, 0.569, 0.967, 0.657, 0.898, 0.931, 0.685, 0.625, 0.875, 1.0, 0.962,
     0.669, 0.975, 0.970]]
SCIPY_FRIEDMAN_X2 = [[4, 3, 5, 3, 5, 3, 2, 5, 4, 4, 4, 3],
                     [2, 2, 1, 2, 3, 1, 2, 3, 2, 1, 1, 3],
                     [2, 4, 3, 3, 4, 3, 3, 4, 4, 1, 2, 1],
                     [3, 5, 4, 3, 4, 4, 3, 3, 3, 4, 4, 4]]
SCIPY_FRIEDMAN_X3 = [[7.0, 9.9, 8.5, 5.1, 10.3],
                     [5.3, 5.7, 4.7, 3.5, 7.7],
                     [4.9, 7.6, 5.5, 2.8, 8.4],
                     [8.8, 8.9, 8.1, 3.3, 9.1]]


def _check_demsar(chi2_u, f, mean_ranks):
    # Demšar (2006) Table 6: chi2_F = 9.28, F_F = 3.69, average ranks (1 = best)
    # 3.143, 2.000, 2.893, 1.964  ->  with rank 1 = smallest: k+1 - those.
    assert round(chi2_u, 2) == 9.28 and round(f, 2) == 3.69, (chi2_u, f)
    assert np.allclose(5 - mean_ranks, [3.143, 2.000, 2.893, 1.964], atol=5e-4)


def _blocks(samples):
    """scipy's test data lists samples (methods); fixtures store blocks as rows."""
    return np.asarray(samples, dtype=float).T


def make_friedman():
    cases = []
    cases.append(friedman_case(
        "Demsar 2006 JMLR Table 6 (14 data sets x C4.5, C4.5+m, C4.5+cf, "
        "C4.5+m+cf) as in scipy test_stats TestFriedmanChiSquare.x1 "
        "(voting C4.5+cf=0.9751; reproduces paper chi2_F=9.28, F_F=3.69)",
        _blocks(SCIPY_FRIEDMAN_X1), check=_check_demsar))
    cases.append(friedman_case("scipy test_stats TestFriedmanChiSquare.x2 "
                               "(Bioestadistica, ties)", _blocks(SCIPY_FRIEDMAN_X2)))
    cases.append(friedman_case("scipy test_stats TestFriedmanChiSquare.x3 "
                               "(Zar example 12.6)", _blocks(SCIPY_FRIEDMAN_X3)))
    # generated: integer scores -> within-row ties; k = 3..10
    specs = [(3, 10, 51), (4, 20, 52), (5, 8, 53), (6, 15, 54), (7, 30, 55),
             (8, 12, 56), (9, 25, 57), (10, 14, 58), (10, 40, 59)]
    for k, n, seed in specs:
        rng = np.random.default_rng(seed)
        shift = np.linspace(0.0, 2.0, k)            # some real effect
        data = np.round(rng.normal(5.0, 1.5, (n, k)) + shift)
        cases.append(friedman_case(f"generated ties k={k} n={n} seed={seed}", data))
    # continuous, no ties (statistic == statistic_uncorrected)
    rng = np.random.default_rng(60)
    data = rng.normal(0.0, 1.0, (18, 5)) + np.linspace(0, 0.8, 5)
    cases.append(friedman_case("generated continuous k=5 n=18 seed=60", data))
    return cases


# --------------------------------------------------------------------------
# multiple-testing corrections
# --------------------------------------------------------------------------

def multipletests_case(name, p):
    p = np.asarray(p, dtype=float)
    return {"name": name, "pvalues": flist(p),
            "holm": flist(multipletests(p, method="holm")[1]),
            "fdr_bh": flist(multipletests(p, method="fdr_bh")[1])}


def make_multipletests():
    sm = "statsmodels test_multi"
    pval0 = [0.838541367553, 0.642193923795, 0.680845947633, 0.967833824309,
             0.71626938238, 0.177096952723, 5.23656777208e-005, 0.0202732688798,
             0.00028140506198, 0.0149877310796]
    raw2 = [0.002, 0.004, 0.006, 0.008, 0.01, 0.012]
    raw3 = [0.001, 0.002, 0.003, 0.004, 0.005, 0.05, 0.06, 0.07, 0.08, 0.09]
    rng = np.random.default_rng(71)
    rand20 = rng.uniform(0, 1, 20) ** 2
    rng = np.random.default_rng(72)
    rand50 = np.concatenate([rng.uniform(0, 0.01, 10), rng.uniform(0, 1, 40)])
    rng.shuffle(rand50)
    return [
        multipletests_case(f"{sm} pval0 (unsorted, R multtest)", pval0),
        multipletests_case(f"{sm} res_multtest2 rawp", raw2),
        multipletests_case(f"{sm} res_multtest3 rawp", raw3),
        multipletests_case("single p-value", [0.03]),
        multipletests_case("ties", [0.01, 0.04, 0.04, 0.04, 0.2, 0.01, 0.5]),
        multipletests_case("near 1 (all adjust to 1)", [0.999, 0.97, 0.9999999, 0.5, 1.0]),
        multipletests_case("near 1 (step-up/down monotonicity below 1)",
                           [0.9999999, 0.001, 0.99, 0.95, 0.999, 0.97]),
        multipletests_case("all equal", [0.02, 0.02, 0.02, 0.02]),
        multipletests_case("unsorted descending", [0.9, 0.5, 0.2, 0.05, 0.01, 0.001]),
        multipletests_case("generated n=20 seed=71 (u^2)", rand20),
        multipletests_case("generated n=50 seed=72 (10 small + 40 uniform)", rand50),
    ]


# --------------------------------------------------------------------------
# studentized range (infinite df) for Nemenyi critical differences
# --------------------------------------------------------------------------

def make_studentized_range():
    cases = []
    for alpha in (0.05, 0.10):
        for k in range(2, 21):
            q = float(st.studentized_range.ppf(1.0 - alpha, k, np.inf))
            cases.append({"k": k, "alpha": alpha, "q": fnum(q),
                          "nemenyi": fnum(q / math.sqrt(2.0))})
    # Demšar (2006) Table 5(a): q_0.05 / sqrt(2) for k = 2, 3, 4
    nem05 = {c["k"]: c["nemenyi"] for c in cases if c["alpha"] == 0.05}
    for k, ref in ((2, 1.959964), (3, 2.343701), (4, 2.569032)):
        assert abs(nem05[k] - ref) < 5e-7, (k, nem05[k], ref)
    nem10 = {c["k"]: c["nemenyi"] for c in cases if c["alpha"] == 0.10}
    for k, ref in ((2, 1.645), (3, 2.052), (4, 2.291), (10, 2.920)):
        assert abs(nem10[k] - ref) < 5e-4, (k, nem10[k], ref)
    return cases


# --------------------------------------------------------------------------
# bootstrap confidence intervals (Monte Carlo)
# --------------------------------------------------------------------------

BOOT_N = 200_000
BOOT_N_SE = 10_000
BOOT_SE_SEEDS = (1001, 1002, 1003, 1004, 1005)


def _boot(d, method, conf, n_resamples, seed):
    res = st.bootstrap((d,), np.mean, method=method, confidence_level=conf,
                       n_resamples=n_resamples, batch=20_000,
                       rng=np.random.default_rng(seed))
    return res.confidence_interval.low, res.confidence_interval.high


def bootstrap_case(name, a, b, conf, method, seed):
    a = np.asarray(a, dtype=float)
    d = a if b is None else a - np.asarray(b, dtype=float)
    low, high = _boot(d, method, conf, BOOT_N, seed)
    reps = np.array([_boot(d, method, conf, BOOT_N_SE, s) for s in BOOT_SE_SEEDS])
    case = {"name": name, "a": flist(a)}
    if b is not None:
        case["b"] = flist(b)
    case.update({"confidence": conf, "method": method,
                 "low": fnum(low), "high": fnum(high), "n_resamples": BOOT_N,
                 "se_low": fnum(np.std(reps[:, 0], ddof=1)),
                 "se_high": fnum(np.std(reps[:, 1], ddof=1)),
                 "se_n_resamples": BOOT_N_SE})
    return case


def make_bootstrap():
    cases = []
    rng = np.random.default_rng(81)
    x = rng.normal(1.0, 2.0, 20)
    cases.append(bootstrap_case("generated normal n=20 seed=81", x, None, 0.95,
                                "percentile", 181))
    rng = np.random.default_rng(82)
    a = rng.normal(10.0, 1.0, 50)
    b = a - rng.normal(0.5, 1.0, 50)
    cases.append(bootstrap_case("generated paired normal n=50 seed=82", a, b, 0.95,
                                "BCa", 182))
    rng = np.random.default_rng(83)
    e = rng.exponential(1.0, 30)
    for method in ("percentile", "BCa"):
        cases.append(bootstrap_case("generated skewed exponential n=30 seed=83",
                                    e, None, 0.95, method, 183))
    rng = np.random.default_rng(84)
    a = rng.normal(0.0, 1.0, 200)
    b = a - rng.exponential(0.5, 200)
    cases.append(bootstrap_case("generated paired skewed n=200 seed=84", a, b, 0.9,
                                "BCa", 184))
    rng = np.random.default_rng(85)
    x = rng.lognormal(0.0, 1.0, 100)
    cases.append(bootstrap_case("generated lognormal n=100 seed=85", x, None, 0.9,
                                "percentile", 185))
    return cases


# --------------------------------------------------------------------------

def main():
    fixtures = {
        "generator": {"scipy": scipy.__version__,
                      "statsmodels": statsmodels.__version__,
                      "numpy": np.__version__},
        "ttest_rel": make_ttest_rel(),
        "wilcoxon": make_wilcoxon(),
        "mcnemar": make_mcnemar(),
        "sign_test": make_sign_test(),
        "permutation": make_permutation(),
        "friedman": make_friedman(),
        "multipletests": make_multipletests(),
        "studentized_range": make_studentized_range(),
        "bootstrap": make_bootstrap(),
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as fh:
        fh.write(json.dumps(fixtures, indent=2, allow_nan=False))
        fh.write("\n")
    print(f"wrote {OUT}")
    for key, val in fixtures.items():
        if isinstance(val, list):
            print(f"  {key:20s} {len(val):4d} cases")


if __name__ == "__main__":
    main()
