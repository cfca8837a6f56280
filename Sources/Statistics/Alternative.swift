/// The alternative hypothesis of a test, with scipy.stats' names and meaning: for paired data the
/// alternative concerns the first sample minus the second (`less`: the difference is below zero).
public enum Alternative: String, Sendable, CaseIterable, Codable {
    case twoSided = "two-sided"
    case less
    case greater
}
