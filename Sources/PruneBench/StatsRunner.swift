import Comparison
import Statistics

/// Picks the columns a test needs from a CSV table, runs the test, and lays its result out as the
/// ordered key/value pairs that both the JSON and the table output show.
struct StatsRunner {
    let options: StatsCommand
    let table: CSVTable

    func run() throws -> [(String, JSONValue)] {
        switch options.test {
        case .ttestPaired: return try pairedTTest()
        case .wilcoxon: return try wilcoxon()
        case .mcnemar: return try mcnemar()
        case .sign: return try signTest()
        case .permutation: return try permutation()
        case .friedman: return try friedman()
        case .holm: return try adjust(.holm)
        case .bh: return try adjust(.benjaminiHochberg)
        case .bootstrapCI: return try bootstrap()
        }
    }

    private var testName: JSONValue { .string(options.test.rawValue) }

    // MARK: Column selection

    private var requestedColumns: [String]? {
        options.columns.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
    }

    /// The named columns, or the first `count` columns of the table.
    private func columns(_ count: Int) throws -> (names: [String], values: [[Double]]) {
        let names = requestedColumns ?? Array(table.header.prefix(count))
        guard names.count == count else {
            throw StatisticsError.invalidInput(requestedColumns == nil
                ? "\(options.test.rawValue) needs \(count) column(s); the file has \(table.header.count)"
                : "\(options.test.rawValue) needs \(count) column(s); --columns names \(names.count)")
        }
        return (names, try names.map { try table.numbers(column: table.columnIndex($0)) })
    }

    private func pair() throws -> (names: [String], a: [Double], b: [Double]) {
        let (names, values) = try columns(2)
        return (names, values[0], values[1])
    }

    private func pairedHeader(_ names: [String], n: Int) -> [(String, JSONValue)] {
        [("test", testName), ("columns", .array(names.map(JSONValue.string))), ("n", .integer(n)),
         ("alternative", .string(options.alternative.rawValue))]
    }

    // MARK: Tests

    private func pairedTTest() throws -> [(String, JSONValue)] {
        let (names, a, b) = try pair()
        let t = try PairedTTest(a, b, alternative: options.alternative, confidence: options.confidence)
        return [("test", testName), ("statistic", .number(t.statistic)), ("pvalue", .number(t.pValue))]
            + pairedHeader(names, n: t.n).dropFirst()
            + [("df", .number(t.degreesOfFreedom)), ("mean_difference", .number(t.meanDifference)),
               ("confidence", .number(t.confidence)), ("ci_low", .number(t.confidenceLow)),
               ("ci_high", .number(t.confidenceHigh)), ("cohens_dz", .number(t.cohensDz))]
    }

    private func wilcoxon() throws -> [(String, JSONValue)] {
        let (names, a, b) = try pair()
        let method: WilcoxonSignedRank.Method = switch options.method {
        case "exact": .exact
        case "approx": .approximate
        default: .automatic
        }
        let w = try WilcoxonSignedRank(a, b, alternative: options.alternative, zeroMethod: options.zeroMethod,
                                       continuityCorrection: options.correction, method: method)
        return [("test", testName), ("statistic", .number(w.statistic)), ("pvalue", .number(w.pValue))]
            + pairedHeader(names, n: a.count).dropFirst()
            + [("nonzero_pairs", .integer(w.n)), ("method", .string(w.method.rawValue)),
               ("zero_method", .string(w.zeroMethod.rawValue)), ("correction", .bool(w.continuityCorrection)),
               ("r_plus", .number(w.rankSumPositive)), ("r_minus", .number(w.rankSumNegative)),
               ("zstatistic", w.zStatistic.json)]
    }

    private func mcnemar() throws -> [(String, JSONValue)] {
        let (names, a, b) = try pair()
        let exact = options.method != "approx"
        let m = try McNemarTest(a, b, exact: exact, continuityCorrection: options.correction)
        return [("test", testName), ("statistic", .number(m.statistic)), ("pvalue", .number(m.pValue)),
                ("columns", .array(names.map(JSONValue.string))), ("n", .integer(a.count)),
                ("method", .string(exact ? "exact" : "approx")), ("correction", .bool(!exact && options.correction)),
                ("first_only_correct", .integer(m.table[1][0])), ("second_only_correct", .integer(m.table[0][1])),
                ("accuracy_difference", .number(m.accuracyDifference))]
    }

    private func signTest() throws -> [(String, JSONValue)] {
        let (names, a, b) = try pair()
        let s = try SignTest(a, b, alternative: options.alternative)
        return [("test", testName), ("statistic", .number(s.statistic)), ("pvalue", .number(s.pValue))]
            + pairedHeader(names, n: a.count).dropFirst()
            + [("positive", .integer(s.positiveCount)), ("negative", .integer(s.negativeCount)),
               ("statsmodels_m", .number(s.statsmodelsM))]
    }

    private func permutation() throws -> [(String, JSONValue)] {
        let (names, a, b) = try pair()
        let method: PairedPermutationTest.Method = switch options.method {
        case "exact": .exact
        case "approx": .monteCarlo
        default: .automatic
        }
        let p = try PairedPermutationTest(a, b, alternative: options.alternative, method: method,
                                          resamples: options.resamples, seed: options.seed)
        return [("test", testName), ("statistic", .number(p.statistic)), ("pvalue", .number(p.pValue))]
            + pairedHeader(names, n: p.n).dropFirst()
            + [("exact", .bool(p.exact)), ("resamples", .integer(p.resamples)),
               ("seed", p.seed.map(JSONValue.unsigned) ?? .null)]
    }

    private func friedman() throws -> [(String, JSONValue)] {
        let names = try requestedColumns ?? methodColumns()
        let columnValues = try names.map { try table.numbers(column: table.columnIndex($0)) }
        let rows = table.rows.indices.map { row in columnValues.map { $0[row] } }
        let f = try FriedmanTest(rows, tieCorrection: !options.noTieCorrection, alpha: options.alpha)
        return [("test", testName), ("statistic", .number(f.statistic)), ("pvalue", .number(f.pValue)),
                ("columns", .array(names.map(JSONValue.string))), ("blocks", .integer(f.blocks)),
                ("tie_correction", .bool(f.tieCorrection)),
                ("mean_ranks", .array(f.meanRanks.map(JSONValue.number))),
                ("iman_davenport_f", .number(f.imanDavenportF)),
                ("iman_davenport_pvalue", .number(f.imanDavenportPValue)),
                ("alpha", .number(f.alpha)), ("critical_difference", .number(f.criticalDifference))]
    }

    /// Friedman's default columns: every column holding numbers. A column with no number at all is a
    /// label (e.g. task); one with some numbers and some text is an error (via `numbers(column:)`).
    private func methodColumns() throws -> [String] {
        let names = table.header.indices.filter { column in
            table.strings(column: column).contains { Double($0) != nil }
        }.map { table.header[$0] }
        guard names.count >= 2 else {
            throw StatisticsError.invalidInput("friedman needs at least 2 numeric columns (methods); found \(names.count)")
        }
        return names
    }

    private func adjust(_ method: MultipleComparisons.Method) throws -> [(String, JSONValue)] {
        let (names, values) = try columns(1)
        let adjusted = try MultipleComparisons.adjust(values[0], method: method)
        return [("test", testName), ("column", .string(names[0])),
                ("adjusted", .array(adjusted.map(JSONValue.number)))]
    }

    private func bootstrap() throws -> [(String, JSONValue)] {
        let strataColumn = try options.strata.map(table.columnIndex)
        let names = requestedColumns ?? table.header.enumerated().filter { $0.offset != strataColumn }.map(\.element)
        guard names.count == 1 || names.count == 2 else {
            throw StatisticsError.invalidInput(
                "bootstrap-ci takes 1 column (mean) or 2 (mean paired difference); got \(names.count): \(names.joined(separator: ", "))")
        }
        let values = try names.map { try table.numbers(column: table.columnIndex($0)) }
        let strata = strataColumn.map { column -> [Int] in
            let labels = table.strings(column: column)
            let ids = Dictionary(Set(labels).sorted().enumerated().map { ($0.element, $0.offset) },
                                 uniquingKeysWith: { first, _ in first })
            return labels.map { ids[$0]! }
        }
        let method: Bootstrap.Method = options.method == "percentile" ? .percentile : .bca
        let sample = values.count == 1 ? values[0] : zip(values[0], values[1]).map { $0 - $1 }
        let interval = try Bootstrap.mean(sample, strata: strata, method: method, confidence: options.confidence,
                                          resamples: options.resamples, seed: options.seed)
        return [("test", testName), ("estimate", .number(interval.estimate)), ("low", .number(interval.low)),
                ("high", .number(interval.high)), ("columns", .array(names.map(JSONValue.string))),
                ("statistic", .string(values.count == 1 ? "mean" : "mean paired difference")),
                ("method", .string(method.rawValue)), ("confidence", .number(interval.confidence)),
                ("resamples", .integer(interval.resamples)), ("seed", .unsigned(interval.seed)),
                ("strata", .integer(interval.strata)), ("strata_column", options.strata.map(JSONValue.string) ?? .null),
                ("z0", interval.biasCorrection.json), ("acceleration", interval.acceleration.json)]
    }
}
