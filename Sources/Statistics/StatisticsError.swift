/// Why a statistical procedure refused its input. Every message names the problem in one line, so the
/// command line can print it as is.
public enum StatisticsError: Error, Equatable, CustomStringConvertible {
    /// The input is unusable (too short, NaN, mismatched lengths, zero variance, ...).
    case invalidInput(String)
    /// A GSL routine returned a non-zero status.
    case gsl(function: String, status: Int32, reason: String)

    public var description: String {
        switch self {
        case .invalidInput(let message): return message
        case .gsl(let function, let status, let reason):
            return "GSL error in \(function) (status \(status)): \(reason)"
        }
    }
}

/// Throws `StatisticsError.invalidInput` with `message` unless `condition` holds.
@inline(__always)
func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw StatisticsError.invalidInput(message()) }
}

/// Rejects NaN and infinite values, naming the sample they were found in.
func requireFinite(_ values: [Double], _ name: String) throws {
    if let index = values.firstIndex(where: { !$0.isFinite }) {
        throw StatisticsError.invalidInput("\(name) has a non-finite value (\(values[index])) at position \(index + 1)")
    }
}
