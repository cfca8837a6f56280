import ArgumentParser

/// The comma-separated keep ratios of `--keep-ratios`.
enum KeepRatios {
    /// Every field as a ratio in (0, 1], or a validation error naming `option` and the bad field.
    static func parse(_ text: String, option: String) throws -> [Double] {
        try text.split(separator: ",", omittingEmptySubsequences: false).map { field in
            guard let ratio = Double(field.trimmingCharacters(in: .whitespaces)), ratio > 0, ratio <= 1 else {
                throw ValidationError("\(option): '\(field)' is not a ratio in (0, 1]")
            }
            return ratio
        }
    }
}
