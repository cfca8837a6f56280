import SyntheticVQA

/// `summary.json`: the manifest, one row per (method, budget), the comparisons and the rank tests.
enum SummaryJSON {
    static func make(_ analysis: ComparisonAnalysis) -> JSONValue {
        let plan = analysis.plan, manifest = analysis.manifest
        func estimate(_ e: ComparisonAnalysis.Estimate) -> JSONValue {
            .object([("mean", .number(e.mean)), ("low", e.low.json), ("high", e.high.json)])
        }
        let config: JSONValue = .object([
            ("kind", .string(plan.kind.rawValue)), ("name", .string(plan.name)),
            ("methods", .array(plan.methods.map { method in
                .object([("label", .string(method.label)), ("pruner", .string(method.pruner)),
                         ("options", .string(method.options)), ("uses_seed", .bool(method.usesSeed)),
                         ("reference", .bool(method.isReference))])
            })),
            ("reference", .string(plan.reference)),
            ("keep_ratios", .array(plan.keepRatios.map(JSONValue.number))),
            ("keep_tokens", .array(plan.keepTokens.map(JSONValue.integer))),
            ("seeds", .array(plan.seeds.map(JSONValue.unsigned))),
            ("items_per_family", .integer(plan.itemsPerFamily)),
            ("items", .integer(plan.itemsPerFamily * TaskFamily.allCases.count)),
            ("timing", .object([("items", .integer(plan.timing.items)), ("repeats", .integer(plan.timing.repeats)),
                                ("warmup", .integer(plan.timing.warmup))])),
            ("bootstrap_resamples", .integer(plan.bootstrapResamples)),
            ("model", .string(plan.model)),
            ("model_config", .object([
                ("visual_tokens", .integer(plan.configuration.visualTokens)), ("layers", .integer(plan.configuration.layers)),
                ("width", .integer(plan.configuration.width)), ("heads", .integer(plan.configuration.heads)),
                ("hidden", .integer(plan.configuration.hidden))])),
            ("plan_fingerprint", .string(plan.fingerprint)),
        ])
        let rows: [JSONValue] = analysis.rows.map { row in
            .object([
                ("method", .string(row.method)), ("keep_ratio", .number(row.keepRatio)), ("keep_tokens", .integer(row.keepTokens)),
                ("accuracy", estimate(row.accuracy)), ("retention", .number(row.retention)), ("retention_low", row.retentionLow.json),
                ("prefill_ms", .number(row.prefillMilliseconds)), ("speedup", .number(row.speedup)),
                ("flops", .number(row.flops)), ("flops_speedup", .number(row.flopsSpeedup)),
                ("speedup_efficiency", .number(row.speedupEfficiency)),
                ("reference_prefill_ms", .number(row.unprunedPrefillMilliseconds)),
                ("pruner_ms", .number(row.prunerMilliseconds)), ("pruner_share", .number(row.prunerShare)),
                ("equivalent_tokens", .number(row.equivalentTokens)), ("recall", row.recall.json),
                ("seeds", .integer(row.seeds)), ("reference", .bool(row.isReference)),
                ("per_task", .object(zip(TaskFamily.allCases, row.perTask).map { ($0.rawValue, .number($1)) })),
            ])
        }
        let comparisons: [JSONValue] = analysis.comparisons.map { c in
            .object([
                ("a", .string(c.a)), ("b", .string(c.b)), ("keep_ratio", .number(c.keepRatio)), ("test", .string(c.test.rawValue)),
                ("seed", c.seed.map(JSONValue.unsigned) ?? .null), ("pvalue", .number(c.pValue)),
                ("pvalue_holm", .number(c.pValueHolm)), ("difference", estimate(c.difference)),
                ("significant", .bool(c.pValueHolm < analysis.alpha)), ("note", c.note.map(JSONValue.string) ?? .null),
            ])
        }
        let rankTests: [JSONValue] = analysis.rankTests.map { r in
            .object([
                ("keep_ratio", .number(r.keepRatio)), ("methods", .array(r.methods.map(JSONValue.string))),
                ("mean_ranks", .array(r.meanRanks.map(JSONValue.number))), ("blocks", .integer(r.blocks)),
                ("friedman_statistic", r.friedman?.statistic.json ?? .null), ("friedman_pvalue", r.friedman?.pValue.json ?? .null),
                ("iman_davenport_f", r.friedman?.imanDavenportF.json ?? .null),
                ("iman_davenport_pvalue", r.friedman?.imanDavenportPValue.json ?? .null),
                ("nemenyi_cd", r.friedman?.criticalDifference.json ?? .null),
                ("failure", r.failure.map(JSONValue.string) ?? .null),
            ])
        }
        return .object([
            ("manifest", .object([
                ("seed", .unsigned(plan.seeds[0])), ("commit", .string(manifest.commit)), ("config", config),
                ("threads", .integer(manifest.threads)), ("date", .string(manifest.date)), ("machine", .string(manifest.machine)),
                ("timing_machines", .array(analysis.timingMachines.map(JSONValue.string))),
            ])),
            ("rows", .array(rows)), ("comparisons", .array(comparisons)), ("rank_tests", .array(rankTests)),
            ("findings", .array(Findings.statements(analysis).map(JSONValue.string))),
        ])
    }
}

extension Double {
    var json: JSONValue { .number(self) }
}
