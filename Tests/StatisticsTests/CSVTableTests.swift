import XCTest
@testable import Statistics

final class CSVTableTests: XCTestCase {
    func testParsesQuotedFieldsAndLineEnds() throws {
        let table = try CSVTable(parsing: "task,\"method, a\",b\r\n\"col\"\"our\",1.5,2\r\nshape, 3 ,4\n")
        XCTAssertEqual(table.header, ["task", "method, a", "b"])
        XCTAssertEqual(table.rows, [["col\"our", "1.5", "2"], ["shape", " 3 ", "4"]])
        XCTAssertEqual(try table.numbers(column: 1), [1.5, 3])
        XCTAssertEqual(try table.columnIndex("b"), 2)
    }

    func testErrorsNameTheProblem() {
        let cases: [(String, String)] = [
            ("", "is empty"),
            ("a,b\n", "no data rows"),
            ("a,b\n1,2\n3\n", "line 3: 1 fields, but the header has 2"),
            ("a,a\n1,2\n", "appears twice"),
            ("a,\n1,2\n", "header column 2 has no name"),
            ("a,b\n\"1,2\n", "never closed"),
            ("a,b\n1\"x,2\n", "quote inside an unquoted field"),
        ]
        for (text, fragment) in cases {
            XCTAssertThrowsError(try CSVTable(parsing: text, source: "f.csv"), text) { error in
                XCTAssertTrue("\(error)".contains(fragment), "'\(error)' lacks '\(fragment)'")
            }
        }
    }

    func testNonNumericAndNaNCellsAreReportedWithLineAndColumn() throws {
        let table = try CSVTable(parsing: "a,b\n1,2\nx,3\nnan,4\n")
        XCTAssertThrowsError(try table.numbers(column: 0)) { error in
            XCTAssertEqual("\(error)", "line 3, column 'a': 'x' is not a finite number")
        }
        XCTAssertThrowsError(try table.columnIndex("c")) { error in
            XCTAssertTrue("\(error)".contains("no column named 'c'"))
        }
        let nan = try CSVTable(parsing: "a\nnan\n")
        XCTAssertThrowsError(try nan.numbers(column: 0))
    }
}
