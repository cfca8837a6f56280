import XCTest
@testable import Statistics

/// Every procedure against scipy/statsmodels reference values (Fixtures/reference.json).
final class ReferenceValueTests: XCTestCase {
    let fixtures = ReferenceFixtures.shared

    func testPairedTTest() throws {
        XCTAssertGreaterThan(fixtures.ttest_rel.count, 10)
        for c in fixtures.ttest_rel {
            let t = try PairedTTest(c.a, c.b, alternative: Alternative(rawValue: c.alternative)!, confidence: c.confidence)
            assertClose(t.statistic, c.statistic, c.name)
            assertClose(t.pValue, c.pvalue, c.name)
            assertClose(t.degreesOfFreedom, c.df, c.name)
            assertClose(t.confidenceLow, c.ci_low.value, c.name)
            assertClose(t.confidenceHigh, c.ci_high.value, c.name)
        }
    }

    func testWilcoxon() throws {
        XCTAssertGreaterThan(fixtures.wilcoxon.count, 50)
        for c in fixtures.wilcoxon {
            let d = c.b.map { b in zip(c.a, b).map { $0 - $1 } } ?? c.a
            let w = try WilcoxonSignedRank(
                differences: d, alternative: Alternative(rawValue: c.alternative)!,
                zeroMethod: WilcoxonSignedRank.ZeroMethod(rawValue: c.zero_method)!,
                continuityCorrection: c.correction, method: c.method == "exact" ? .exact : .approximate)
            assertClose(w.statistic, c.statistic, c.name)
            assertClose(w.pValue, c.pvalue, c.name)
            if let z = c.zstatistic { assertClose(w.zStatistic ?? .nan, z, c.name) }
        }
    }

    func testWilcoxonAutomaticMethodPicksExactOnlyWithoutTiesOrZeros() throws {
        let untied = try WilcoxonSignedRank(differences: [1, -2, 3, 4, -5, 6])
        XCTAssertEqual(untied.method, .exact)
        let tied = try WilcoxonSignedRank(differences: [1, -1, 3, 4, -5, 6])
        XCTAssertEqual(tied.method, .approximate)
        let zero = try WilcoxonSignedRank(differences: [0, -2, 3, 4, -5, 6])
        XCTAssertEqual(zero.method, .approximate)
        let large = try WilcoxonSignedRank(differences: (1...51).map { Double($0) * ($0 % 3 == 0 ? -1 : 1) })
        XCTAssertEqual(large.method, .approximate)
    }

    func testMcNemar() throws {
        for c in fixtures.mcnemar {
            let m = try McNemarTest(table: c.table, exact: c.exact, continuityCorrection: c.correction)
            assertClose(m.statistic, c.statistic, c.name)
            assertClose(m.pValue, c.pvalue, c.name)
        }
    }

    func testMcNemarFromCorrectnessColumnsMatchesTable() throws {
        let first: [Double] = [1, 1, 1, 0, 0, 1, 1, 0, 1, 1]
        let second: [Double] = [1, 0, 0, 0, 1, 0, 1, 0, 0, 1]
        let m = try McNemarTest(first, second)
        XCTAssertEqual(m.table, [[2, 1], [4, 3]])
        assertClose(m.accuracyDifference, 0.3)
        assertClose(m.pValue, 0.375)  // 2·P[Bin(5, ½) ≤ 1] = 2·6/32
    }

    func testSignTest() throws {
        for c in fixtures.sign_test {
            let s = try SignTest(c.a, c.b, alternative: Alternative(rawValue: c.alternative)!)
            XCTAssertEqual(s.positiveCount, c.n_positive, c.name)
            XCTAssertEqual(s.negativeCount, c.n_negative, c.name)
            assertClose(s.pValue, c.pvalue, c.name)
            if let m = c.statsmodels_m, let p = c.statsmodels_pvalue {
                assertClose(s.statsmodelsM, m, c.name)
                assertClose(s.pValue, p, c.name)
            }
        }
    }

    func testExactPermutation() throws {
        for c in fixtures.permutation {
            let p = try PairedPermutationTest(c.a, c.b, alternative: Alternative(rawValue: c.alternative)!)
            XCTAssertTrue(p.exact)
            assertClose(p.statistic, c.statistic, c.name)
            assertClose(p.pValue, c.pvalue, c.name)
        }
    }

    func testMonteCarloPermutationAgreesWithExactWithinMonteCarloError() throws {
        for c in fixtures.permutation {
            let resamples = 20_000
            let p = try PairedPermutationTest(c.a, c.b, alternative: Alternative(rawValue: c.alternative)!,
                                              method: .monteCarlo, resamples: resamples, seed: 3)
            XCTAssertFalse(p.exact)
            XCTAssertEqual(p.seed, 3)
            let standardError = (max(c.pvalue, 1e-3) * (1 - min(c.pvalue, 0.999)) / Double(resamples)).squareRoot()
            // Two-sided p doubles the tail, and so its error.
            XCTAssertEqual(p.pValue, c.pvalue, accuracy: 2 * 5 * standardError + 2.0 / Double(resamples), c.name)
        }
    }

    func testFriedman() throws {
        for c in fixtures.friedman {
            let corrected = try FriedmanTest(c.data, tieCorrection: true)
            assertClose(corrected.statistic, c.statistic, relative: 1e-9, c.name)
            assertClose(corrected.pValue, c.pvalue, relative: 1e-9, c.name)
            for (mine, theirs) in zip(corrected.meanRanks, c.mean_ranks) { assertClose(mine, theirs, c.name) }
            let plain = try FriedmanTest(c.data, tieCorrection: false)
            assertClose(plain.statistic, c.statistic_uncorrected, c.name)
            assertClose(plain.pValue, c.pvalue_uncorrected, c.name)
            assertClose(plain.imanDavenportF, c.iman_davenport_f, c.name)
            assertClose(plain.imanDavenportPValue, c.iman_davenport_pvalue, c.name)
        }
    }

    func testDemsarExampleCriticalDifference() throws {
        // Demšar (2006) §3.2.2: k = 4 classifiers, N = 14 data sets, CD = 2.569·√(4·5/(6·14)) = 1.25.
        let cd = try FriedmanTest.nemenyiCriticalDifference(groups: 4, blocks: 14, alpha: 0.05)
        XCTAssertEqual(cd, 1.25, accuracy: 0.005)
    }

    func testStudentizedRangeQuantiles() throws {
        for c in fixtures.studentized_range {
            let q = try StudentizedRange.quantile(1 - c.alpha, groups: c.k)
            assertClose(q, c.q, relative: 1e-8, "k=\(c.k) alpha=\(c.alpha)")
            assertClose(try StudentizedRange.nemenyiQ(alpha: c.alpha, groups: c.k), c.nemenyi, relative: 1e-8)
        }
    }

    func testHolmAndBenjaminiHochberg() throws {
        for c in fixtures.multipletests {
            let holm = try MultipleComparisons.adjust(c.pvalues, method: .holm)
            let bh = try MultipleComparisons.adjust(c.pvalues, method: .benjaminiHochberg)
            for i in c.pvalues.indices {
                assertClose(holm[i], c.holm[i], c.name)
                assertClose(bh[i], c.fdr_bh[i], c.name)
            }
        }
    }

    func testBootstrapWithinMonteCarloError() throws {
        for c in fixtures.bootstrap {
            let method: Bootstrap.Method = c.method == "BCa" ? .bca : .percentile
            let resamples = 40_000
            let interval = try c.b.map {
                try Bootstrap.meanDifference(c.a, $0, method: method, confidence: c.confidence,
                                             resamples: resamples, seed: 11)
            } ?? Bootstrap.mean(c.a, method: method, confidence: c.confidence, resamples: resamples, seed: 11)
            // se_* are the spread at 10,000 resamples; at 40,000 it halves. Allow 5 of those.
            let scale = (Double(c.se_n_resamples) / Double(resamples)).squareRoot()
            XCTAssertEqual(interval.low, c.low, accuracy: 5 * c.se_low * scale + 1e-12, c.name)
            XCTAssertEqual(interval.high, c.high, accuracy: 5 * c.se_high * scale + 1e-12, c.name)
        }
    }
}
