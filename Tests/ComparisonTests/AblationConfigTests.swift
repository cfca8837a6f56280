import Foundation
import XCTest
@testable import Comparison

final class AblationConfigTests: XCTestCase {
    private func parse(_ text: String, extension ext: String = "yaml") throws -> AblationConfig {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ablation-\(UUID().uuidString).\(ext)")
        try text.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        return try AblationConfig(contentsOf: url)
    }

    func testYAMLAndJSONReadTheSame() throws {
        let yaml = try parse("""
            name: throttlers
            method: diffprune
            keep_ratios: [0.333, 0.111]
            seeds: 2
            variants:
              - name: vp-noise
              - name: scale-gate
                options: {throttler: scale-gate}
              - name: gumbel
                method: gumbel
                options: "ratio-weight=2"
            """)
        let json = try parse("""
            {"name": "throttlers", "method": "diffprune", "keep_ratios": [0.333, 0.111], "seeds": 2,
             "variants": [{"name": "vp-noise"}, {"name": "scale-gate", "options": {"throttler": "scale-gate"}},
                          {"name": "gumbel", "method": "gumbel", "options": "ratio-weight=2"}]}
            """, extension: "json")
        XCTAssertEqual(yaml, json)
        XCTAssertEqual(yaml.variants.map(\.method), ["diffprune", "diffprune", "gumbel"])
        XCTAssertEqual(yaml.variants[1].options, "throttler=scale-gate")
        XCTAssertEqual(yaml.itemsPerFamily, 600)
    }

    func testMalformedConfigsAreRefusedWithTheReason() {
        let cases: [(String, String)] = [
            ("- just a list", "top level"),
            ("method: topk\nvariants: []", "non-empty"),
            ("method: topk\nvariants:\n  - options: {}", "no name"),
            ("variants:\n  - name: a", "no method"),
            ("method: topk\nseeds: two\nvariants:\n  - name: a", "'seeds'"),
            ("method: topk\nkeep_ratio: [0.1]\nvariants:\n  - name: a", "unknown key 'keep_ratio'"),
            ("method: topk\nvariants:\n  - name: a\n    option: {}", "unknown key 'option'"),
            ("method: [topk\nvariants: ", "does not parse"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try parse(text), text) { error in
                XCTAssertTrue("\(error)".contains(message), "\(text): \(error)")
            }
        }
    }
}

extension AblationConfigTests {
    func testBooleanAndNumberOptionsReadTheSameFromYAMLAndJSON() throws {
        let yaml = try parse("method: attention-norm\nvariants:\n  - name: a\n    options: {value-norm: true, layer: 1}\n")
        let json = try parse(#"{"method": "attention-norm", "variants": [{"name": "a", "options": {"value-norm": true, "layer": 1}}]}"#,
                             extension: "json")
        XCTAssertEqual(yaml.variants[0].options, "layer=1,value-norm=true")
        XCTAssertEqual(json.variants[0].options, "layer=1,value-norm=true")
        XCTAssertThrowsError(try parse("name: ../escape\nmethod: topk\nvariants:\n  - name: a\n"))
    }
}
