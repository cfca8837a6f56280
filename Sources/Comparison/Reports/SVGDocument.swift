import Foundation

/// A small SVG writer for the report's plots: shapes and text in user units, escaped properly.
struct SVGDocument {
    let width: Double
    let height: Double
    private var elements: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"]

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "#000", width: Double = 1,
                       dash: String? = nil) {
        elements.append("<line x1=\"\(f(x1))\" y1=\"\(f(y1))\" x2=\"\(f(x2))\" y2=\"\(f(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(f(width))\""
                        + (dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") + "/>")
    }

    mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 1.5) {
        let list = points.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
        elements.append("<polyline points=\"\(list)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(f(width))\"/>")
    }

    mutating func circle(_ x: Double, _ y: Double, radius: Double, fill: String, title: String? = nil) {
        elements.append("<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"\(f(radius))\" fill=\"\(fill)\" stroke=\"#000\" stroke-width=\"0.5\">"
                        + (title.map { "<title>\(Self.escape($0))</title>" } ?? "") + "</circle>")
    }

    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, stroke: String = "none") {
        elements.append("<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(w))\" height=\"\(f(h))\" fill=\"\(fill)\" stroke=\"\(stroke)\"/>")
    }

    enum Anchor: String { case start, middle, end }

    mutating func text(_ x: Double, _ y: Double, _ content: String, size: Double = 12, anchor: Anchor = .start,
                       bold: Bool = false, rotate: Double? = nil, fill: String = "#000") {
        let transform = rotate.map { " transform=\"rotate(\(f($0)) \(f(x)) \(f(y)))\"" } ?? ""
        elements.append("<text x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(f(size))\" text-anchor=\"\(anchor.rawValue)\" fill=\"\(fill)\""
                        + (bold ? " font-weight=\"bold\"" : "") + transform + ">\(Self.escape(content))</text>")
    }

    var text: String {
        (["<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\" font-family=\"Helvetica, Arial, sans-serif\">",
          "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"] + elements + ["</svg>"]).joined(separator: "\n") + "\n"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    private func f(_ value: Double) -> String { String(format: "%.2f", value) }

    /// About `count` round tick values covering `low...high`.
    static func ticks(_ low: Double, _ high: Double, count: Int = 6) -> [Double] {
        let span = max(high - low, 1e-9)
        let raw = span / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        var ticks: [Double] = []
        var value = ceil(low / step) * step
        while value <= high + step * 1e-9 {
            ticks.append(value)
            value += step
        }
        return ticks
    }
}
