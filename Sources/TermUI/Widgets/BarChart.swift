/// One bar of a ``BarChart``.
public struct Bar: Sendable, Hashable {
    public var label: String
    public var value: Double
    /// Shown after the bar; nil shows the value (as an integer when it is whole).
    public var valueText: String?
    /// Patched onto the chart's bar style for this bar only.
    public var style: Style?

    public init(label: String, value: Double, valueText: String? = nil, style: Style? = nil) {
        self.label = label
        self.value = value
        self.valueText = valueText
        self.style = style
    }

    var displayValue: String {
        if let valueText { return valueText }
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return String(value)
    }
}

/// Horizontal bars, one per row: `label │████████▌ value`, scaled so `max` fills the bar space.
public struct BarChart: Widget, Sendable {
    public var bars: [Bar]
    /// The value that fills the whole bar space; nil uses the largest value.
    public var max: Double?
    public var labelStyle: Style
    public var barStyle: Style
    public var valueStyle: Style
    /// The bar the user has chosen (an index into ``bars``): its label and value are drawn in ``selectedStyle``.
    public var selected: Int?
    public var selectedStyle: Style
    /// The widest the labels' column grows (longer labels are cut with "…"); nil: a third of the chart's width.
    public var maxLabelWidth: Int?

    public init(
        bars: [Bar], max: Double? = nil, labelStyle: Style = .plain, barStyle: Style = .plain, valueStyle: Style = .plain,
        selected: Int? = nil, selectedStyle: Style = Style(modifiers: .reverse), maxLabelWidth: Int? = nil
    ) {
        self.bars = bars
        self.max = max
        self.labelStyle = labelStyle
        self.barStyle = barStyle
        self.valueStyle = valueStyle
        self.selected = selected
        self.selectedStyle = selectedStyle
        self.maxLabelWidth = maxLabelWidth
    }

    /// The bar drawn at screen position (x, y) by a chart of `count` bars rendered in `area`, or nil. For clicks.
    public static func bar(atX x: Int, y: Int, in area: Rect, count: Int) -> Int? {
        guard area.contains(x: x, y: y) else { return nil }
        let index = y - area.y
        return index < count ? index : nil
    }

    public func render(in area: Rect, buffer: inout Buffer) {
        guard !area.isEmpty else { return }
        let labelWidth = Swift.min(bars.map { TextWidth.of($0.label) }.max() ?? 0, maxLabelWidth ?? area.width / 3)
        let valueWidth = bars.map { TextWidth.of($0.displayValue) }.max() ?? 0
        // label, space, bar, space, value
        let barSpace = Swift.max(0, area.width - labelWidth - 1 - valueWidth - 1)
        let top = max ?? bars.map(\.value).max() ?? 0
        for (index, bar) in bars.prefix(area.height).enumerated() {
            let y = area.y + index
            let isSelected = selected == index
            let label = TextWidth.pad(bar.label, to: labelWidth)
            buffer.setString(x: area.x, y: y, label, style: isSelected ? labelStyle.patched(with: selectedStyle) : labelStyle)
            let barX = area.x + labelWidth + 1
            var eighths = 0
            if top > 0, bar.value > 0, bar.value.isFinite {
                eighths = Int((Swift.min(bar.value, top) / top * Double(barSpace * 8)).rounded())
            }
            let style = barStyle.patched(with: bar.style ?? .plain)
            let full = eighths / 8
            for column in 0..<full {
                buffer.setString(x: barX + column, y: y, "█", style: style)
            }
            var end = barX + full
            if eighths % 8 > 0 {
                buffer.setString(x: end, y: y, Blocks.horizontal[eighths % 8], style: style)
                end += 1
            }
            buffer.setString(
                x: end + 1, y: y, bar.displayValue, style: isSelected ? valueStyle.patched(with: selectedStyle) : valueStyle,
                maxWidth: Swift.max(0, area.right - end - 1))
        }
    }
}
