import Foundation

/// A single, self-overwriting progress line on stderr: what is running, how far it is, and the ETA.
struct ProgressLine {
    let label: String
    let total: Int
    private let start = Date()
    private var lastDraw = Date.distantPast

    init(_ label: String, total: Int) {
        self.label = label
        self.total = total
    }

    /// Redraws at most five times a second, and always at the end.
    mutating func update(_ done: Int, detail: String = "") {
        let now = Date()
        guard done >= total || now.timeIntervalSince(lastDraw) >= 0.2 else { return }
        lastDraw = now
        let elapsed = now.timeIntervalSince(start)
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let percent = total > 0 ? 100 * Double(done) / Double(total) : 100
        var line = "\r\(label) \(done)/\(total) (\(String(format: "%.0f", percent))%) elapsed \(Self.clock(elapsed)) ETA \(Self.clock(eta))"
        if !detail.isEmpty { line += "  \(detail)" }
        StandardError.write(line + "\u{1B}[K" + (done >= total ? "\n" : ""))
    }

    /// A progress callback for pruner training, `(step, steps, loss)`, drawing its own line.
    static func training(_ label: String) -> (Int, Int, Float) -> Void {
        var line: ProgressLine? = nil
        return { step, steps, loss in
            if line == nil { line = ProgressLine(label, total: steps) }
            line!.update(step, detail: String(format: "loss %.3f", loss))
        }
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
