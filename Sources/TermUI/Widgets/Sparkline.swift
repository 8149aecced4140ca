/// A small bar graph of recent values with block characters ▁▂▃▄▅▆▇█, one column per value.
///
/// Shows the last `width` values (newest on the right). Each bar is `value / max` of the area's
/// height, rounded to the nearest eighth of a cell; a positive value never rounds away entirely.
/// Zero and negative values are blank.
public struct Sparkline: Widget, Sendable {
    public var values: [Double]
    /// The value drawn as a full bar; nil uses the largest shown value.
    public var max: Double?
    public var style: Style

    public init(values: [Double], max: Double? = nil, style: Style = .plain) {
        self.values = values
        self.max = max
        self.style = style
    }

    public func render(in area: Rect, buffer: inout Buffer) {
        guard !area.isEmpty else { return }
        buffer.setStyle(area: area, style)
        let shown = values.suffix(area.width)
        let top = max ?? shown.max() ?? 0
        guard top > 0 else { return }
        let levels = area.height * 8
        for (column, value) in shown.enumerated() {
            guard value > 0, value.isFinite else { continue }
            var level = Int((Swift.min(value, top) / top * Double(levels)).rounded())
            level = Swift.max(1, Swift.min(levels, level))
            // Fill from the bottom row up.
            for row in 0..<area.height {
                let eighths = Swift.max(0, Swift.min(8, level - row * 8))
                guard eighths > 0 else { break }
                buffer.setString(x: area.x + column, y: area.bottom - 1 - row, Blocks.vertical[eighths])
            }
        }
    }
}
