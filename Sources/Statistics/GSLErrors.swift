import CGSL

/// GSL's error plumbing. GSL's default handler calls `abort()`; PruneLab turns every status into a
/// Swift error instead.
public enum GSLErrors {
    /// Switches GSL's abort-on-error handler off. Idempotent; call once at start-up (the statistics
    /// entry points call it too, so library users cannot forget).
    public static func installHandler() {
        _ = handlerInstalled
    }

    private static let handlerInstalled: Bool = {
        gsl_set_error_handler_off()
        return true
    }()

    /// Converts a GSL status code into a thrown `StatisticsError.gsl`.
    static func check(_ status: Int32, _ function: String) throws {
        guard status != Int32(GSL_SUCCESS) else { return }
        let reason = gsl_strerror(status).map { String(cString: $0) } ?? "unknown"
        throw StatisticsError.gsl(function: function, status: status, reason: reason)
    }
}
