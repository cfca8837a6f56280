/// A CSV file with a header row, as the statistics commands read it (RFC 4180: commas, double-quoted
/// fields with "" escapes, CRLF or LF line ends). Errors name the file position of the problem.
public struct CSVTable: Sendable, Equatable {
    public let header: [String]
    /// Data rows, each with exactly `header.count` cells.
    public let rows: [[String]]

    public init(parsing text: String, source: String = "input") throws {
        var records = try Self.records(text, source: source)
        // A trailing empty line is not a record; blank lines elsewhere are skipped too.
        records.removeAll { $0.cells == [""] }
        guard let first = records.first else { throw StatisticsError.invalidInput("\(source) is empty: expected a header row") }
        let header = first.cells.map { $0.trimmingSpaces() }
        if let blank = header.firstIndex(of: "") {
            throw StatisticsError.invalidInput("\(source): header column \(blank + 1) has no name")
        }
        if let duplicate = header.enumerated().first(where: { header.firstIndex(of: $0.element) != $0.offset }) {
            throw StatisticsError.invalidInput("\(source): column name '\(duplicate.element)' appears twice in the header")
        }
        for record in records.dropFirst() where record.cells.count != header.count {
            throw StatisticsError.invalidInput(
                "\(source) line \(record.line): \(record.cells.count) fields, but the header has \(header.count)")
        }
        guard records.count > 1 else { throw StatisticsError.invalidInput("\(source) has a header but no data rows") }
        self.header = header
        self.rows = records.dropFirst().map { $0.cells }
        self.lines = records.dropFirst().map { $0.line }
    }

    /// Source line number of each data row, for error messages.
    private let lines: [Int]

    /// Index of the column named `name`.
    public func columnIndex(_ name: String) throws -> Int {
        guard let index = header.firstIndex(of: name) else {
            throw StatisticsError.invalidInput(
                "no column named '\(name)' (columns: \(header.joined(separator: ", ")))")
        }
        return index
    }

    /// The column at `index` as finite numbers; a cell that is not one is an error naming its line.
    public func numbers(column index: Int) throws -> [Double] {
        try rows.indices.map { row in
            let cell = rows[row][index].trimmingSpaces()
            guard let value = Double(cell), value.isFinite else {
                let what = cell.isEmpty ? "an empty cell" : "'\(cell)'"
                throw StatisticsError.invalidInput(
                    "line \(lines[row]), column '\(header[index])': \(what) is not a finite number")
            }
            return value
        }
    }

    /// Whether every cell of the column parses as a number (used to tell label columns from data).
    public func isNumeric(column index: Int) -> Bool {
        rows.allSatisfy { Double($0[index].trimmingSpaces()) != nil }
    }

    /// The column's text values.
    public func strings(column index: Int) -> [String] { rows.map { $0[index].trimmingSpaces() } }

    private struct Record { var cells: [String]; var line: Int }

    private static func records(_ text: String, source: String) throws -> [Record] {
        var records: [Record] = []
        var cells: [String] = []
        var cell = ""
        var inQuotes = false, cellWasQuoted = false
        var line = 1, recordLine = 1
        var characters = text.makeIterator()
        var pending: Character? = nil
        func next() -> Character? {
            if let p = pending { pending = nil; return p }
            return characters.next()
        }
        while let character = next() {
            if inQuotes {
                if character == "\"" {
                    if let following = next() {
                        if following == "\"" { cell.append("\"") } else { inQuotes = false; pending = following }
                    } else { inQuotes = false }
                } else {
                    if character == "\n" || character == "\r\n" { line += 1 }
                    cell.append(character)
                }
                continue
            }
            switch character {
            case "\"" where cell.trimmingSpaces().isEmpty && !cellWasQuoted:
                inQuotes = true; cellWasQuoted = true; cell = ""
            case "\"":
                throw StatisticsError.invalidInput("\(source) line \(line): a quote inside an unquoted field")
            case ",":
                cells.append(cell); cell = ""; cellWasQuoted = false
            case "\n", "\r\n", "\r":
                cells.append(cell)
                records.append(Record(cells: cells, line: recordLine))
                cells = []; cell = ""; cellWasQuoted = false
                line += 1; recordLine = line
            default:
                cell.append(character)
            }
        }
        if inQuotes { throw StatisticsError.invalidInput("\(source) line \(recordLine): a quoted field is never closed") }
        if !cell.isEmpty || !cells.isEmpty || cellWasQuoted {
            cells.append(cell)
            records.append(Record(cells: cells, line: recordLine))
        }
        return records
    }
}

extension String {
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
