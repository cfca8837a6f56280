/// 3×5 pixel bitmaps of the digits 0–9, drawn inside objects for the fine-detail (TextVQA-like) family.
/// Each string is five rows of three pixels, top to bottom; "#" is ink.
enum Glyphs {
    static let width = 3
    static let height = 5

    static let digits: [[String]] = [
        ["###", "#.#", "#.#", "#.#", "###"],  // 0
        [".#.", "##.", ".#.", ".#.", "###"],  // 1
        ["###", "..#", "###", "#..", "###"],  // 2
        ["###", "..#", ".##", "..#", "###"],  // 3
        ["#.#", "#.#", "###", "..#", "..#"],  // 4
        ["###", "#..", "###", "..#", "###"],  // 5
        ["###", "#..", "###", "#.#", "###"],  // 6
        ["###", "..#", ".#.", ".#.", ".#."],  // 7
        ["###", "#.#", "###", "#.#", "###"],  // 8
        ["###", "#.#", "###", "..#", "###"],  // 9
    ]

    /// Whether pixel (column x, row y) of `digit`'s bitmap is ink.
    static func isInk(digit: Int, x: Int, y: Int) -> Bool {
        let row = digits[digit][y]
        return row[row.index(row.startIndex, offsetBy: x)] == "#"
    }
}
