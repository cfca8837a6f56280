import CGSL

/// Checked wrapper over GSL's numerical integration.
enum Quadrature {
    /// ∫ f over (−∞, ∞) with QAGI to near machine precision.
    static func infinite(_ function: inout gsl_function) throws -> Double {
        GSLErrors.installHandler()
        let limit = 1000
        guard let workspace = gsl_integration_workspace_alloc(limit) else {
            throw StatisticsError.gsl(function: "gsl_integration_workspace_alloc", status: Int32(GSL_ENOMEM), reason: "out of memory")
        }
        defer { gsl_integration_workspace_free(workspace) }
        var result = 0.0, error = 0.0
        let status = gsl_integration_qagi(&function, 1e-15, 1e-12, limit, workspace, &result, &error)
        // QAGI may report a roundoff limit while the result is already accurate to the requested
        // absolute level; accept that case, refuse every other failure.
        if status != Int32(GSL_SUCCESS) && !(status == Int32(GSL_EROUND) && error < 1e-12) {
            try GSLErrors.check(status, "gsl_integration_qagi")
        }
        return result
    }
}
