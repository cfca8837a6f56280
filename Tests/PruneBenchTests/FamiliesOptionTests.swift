import Foundation
import XCTest

/// `--families` of `evaluate` and `train substrate`: an empty list or an unknown name is a one-line
/// error naming the known families, before any work starts.
final class FamiliesOptionTests: XCTestCase {
    func testEmptyOrUnknownFamiliesAreOneLineErrors() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("families-\(UUID().uuidString)").path
        let cases: [([String], String)] = [
            (["evaluate", "--families", ""], "names no family"),
            (["evaluate", "--families", ",,"], "names no family"),
            (["evaluate", "--families", "colour,colours"], "unknown task family 'colours'"),
            (["train", "substrate", "--families", ",", "--steps", "1", "--out", out], "names no family"),
            (["train", "substrate", "--families", "position,place", "--steps", "1", "--out", out],
             "unknown task family 'place'"),
        ]
        for (arguments, message) in cases {
            let result = try PruneBenchProcess.run(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(message), "\(arguments): expected '\(message)' in \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("families: colour, shape"), result.stderr)
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }
}
