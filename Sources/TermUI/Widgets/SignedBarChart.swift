/// One bar of a ``SignedBarChart``.
public struct SignedBar: Sendable, Hashable {
    public var label: String
    /// Negative values are drawn left of the zero axis, positive ones right of it.
    public var value: Double
    /// Shown in the value column; nil shows the value with its sign ("+3", "-1.25").
    public var valueText: String?
    /// In a waterfall, a total is drawn from zero to its value, and the running sum restarts from it,
    /// instead of continuing from the previous bar.
    public var isTotal: Bool
    /// Patched onto the chart's positive or negative style for this bar only.
    public var style: Style?

    public init(label: String, value: Double, valueText: String? = nil, isTotal: Bool = false, style: Style? = nil) {
        self.label = label
        self.value = value
        self.valueText = valueText
        self.isTotal = isTotal
        self.style = style
    }

    var displayValue: String {
        if let valueText { return valueText }
        guard value.isFinite else { return String(value) }
        let sign = value > 0 ? "+" : value < 0 ? "-" : ""
        let hundredths = Int((abs(value) * 100).rounded())
        let fraction = hundredths % 100
        if fraction == 0 { return sign + String(hundredths / 100) }
        return sign + String(hundredths / 100) + "." + (fraction < 10 ? "0" : "") + String(fraction)
    }
}

/// Horizontal bars around a zero axis, one per row: `label ▐████│██▌    value`. Negative values grow
/// left of the axis, positive ones right, on one scale, to half a cell.
///
/// In ``Mode/waterfall`` each bar starts where the previous one ended, so a row of signed
/// contributions reads as a running sum (a match's prior, then each comparison's weight, then the
/// total as a ``SignedBar/isTotal`` bar from zero).
public struct SignedBarChart: Widget, Sendable {
    public enum Mode: Sendable, Hashable {
        /// Every bar from zero to its value.
        case fromAxis
        /// Every bar from the running sum of the bars above it (totals from zero).
        case waterfall
    }

    public var bars: [SignedBar]
    public var mode: Mode
    public var labelStyle: Style
    /// The bars of positive values (and of totals that are positive).
    public var positiveStyle: Style
    public var negativeStyle: Style
    public var axisStyle: Style
    public var valueStyle: Style

    public init(
        bars: [SignedBar], mode: Mode = .fromAxis, labelStyle: Style = .plain, positiveStyle: Style = .plain,
        negativeStyle: Style = .plain, axisStyle: Style = .plain, valueStyle: Style = .plain
    ) {
        self.bars = bars
        self.mode = mode
        self.labelStyle = labelStyle
        self.positiveStyle = positiveStyle
        self.negativeStyle = negativeStyle
        self.axisStyle = axisStyle
        self.valueStyle = valueStyle
    }

    /// Where each bar starts and ends, in value units.
    var segments: [(start: Double, end: Double)] {
        var running = 0.0
        return bars.map { bar in
            let value = bar.value.isFinite ? bar.value : 0
            switch mode {
            case .fromAxis:
                return (0, value)
            case .waterfall:
                let start = bar.isTotal ? 0 : running
                running = start + value
                return (start, running)
            }
        }
    }

    public func render(in area: Rect, buffer: inout Buffer) {
        guard !area.isEmpty else { return }
        let labelWidth = Swift.min(bars.map { TextWidth.of($0.label) }.max() ?? 0, area.width / 3)
        let valueWidth = bars.map { TextWidth.of($0.displayValue) }.max() ?? 0
        // label, space, plot (cells left of the axis, the axis, cells right of it), space, value
        let plotWidth = Swift.max(0, area.width - labelWidth - 1 - valueWidth - 1)
        let segments = self.segments
        let negativeExtent = Swift.max(0, -(segments.map { Swift.min($0.start, $0.end) }.min() ?? 0))
        let positiveExtent = Swift.max(0, segments.map { Swift.max($0.start, $0.end) }.max() ?? 0)
        let cells = Swift.max(0, plotWidth - 1)
        // Both sides share one scale, so the axis sits where the extents put it.
        let extent = negativeExtent + positiveExtent
        let leftCells = extent > 0 ? Int((Double(cells) * negativeExtent / extent).rounded()) : 0
        let rightCells = cells - leftCells
        let plotX = area.x + labelWidth + 1
        let axisX = plotX + leftCells

        /// Half cells from the axis out to `magnitude` on a side `sideCells` wide holding `sideExtent`.
        func halfCells(_ magnitude: Double, _ sideCells: Int, _ sideExtent: Double) -> Int {
            guard sideExtent > 0 else { return 0 }
            return Swift.min(sideCells * 2, Int((magnitude / sideExtent * Double(sideCells * 2)).rounded()))
        }

        for (index, bar) in bars.prefix(area.height).enumerated() {
            let y = area.y + index
            buffer.setString(x: area.x, y: y, TextWidth.pad(bar.label, to: labelWidth), style: labelStyle, maxWidth: labelWidth)
            let (start, end) = segments[index]
            let low = Swift.min(start, end), high = Swift.max(start, end)
            let style = (bar.value < 0 ? negativeStyle : positiveStyle).patched(with: bar.style ?? .plain)
            // A zero bar (or a zero step of a waterfall) draws nothing but the axis.
            if plotWidth > 0, low != high {
                if low < 0 {
                    var (from, to) = (halfCells(-Swift.min(high, 0), leftCells, negativeExtent), halfCells(-low, leftCells, negativeExtent))
                    // A value too small for half a cell still shows.
                    if to == from, leftCells > 0 { (from, to) = from > 0 ? (from - 1, from) : (0, 1) }
                    drawSide(
                        from, to, cells: leftCells, cellX: { axisX - 1 - $0 }, innerHalf: "▐", outerHalf: "▌", y: y, style: style,
                        buffer: &buffer)
                }
                if high > 0 {
                    var (from, to) = (halfCells(Swift.max(low, 0), rightCells, positiveExtent), halfCells(high, rightCells, positiveExtent))
                    if to == from, rightCells > 0 { (from, to) = from > 0 ? (from - 1, from) : (0, 1) }
                    drawSide(
                        from, to, cells: rightCells, cellX: { axisX + 1 + $0 }, innerHalf: "▌", outerHalf: "▐", y: y, style: style,
                        buffer: &buffer)
                }
            }
            if plotWidth > 0 {
                let crossesAxis = low < 0 && high > 0
                buffer.setString(x: axisX, y: y, crossesAxis ? "█" : "│", style: crossesAxis ? style : axisStyle)
            }
            let text = bar.displayValue
            let valueX = area.right - valueWidth
            buffer.setString(
                x: valueX + Swift.max(0, valueWidth - TextWidth.of(text)), y: y, text, style: valueStyle,
                maxWidth: Swift.max(0, area.right - valueX))
        }
    }

    /// Fills half cells `from..<to` counted outward from the axis; cell `k` holds half cells 2k (next to
    /// the axis) and 2k+1.
    private func drawSide(
        _ from: Int, _ to: Int, cells: Int, cellX: (Int) -> Int, innerHalf: String, outerHalf: String, y: Int, style: Style,
        buffer: inout Buffer
    ) {
        guard to > from else { return }
        for cell in (from / 2)..<Swift.min(cells, (to + 1) / 2) {
            let inner = (from..<to).contains(2 * cell)
            let outer = (from..<to).contains(2 * cell + 1)
            let symbol = inner && outer ? "█" : inner ? innerHalf : outerHalf
            buffer.setString(x: cellX(cell), y: y, symbol, style: style)
        }
    }
}
