/// A row of tab titles with the selected one highlighted: ` Sources │ Rules │ Matches `.
public struct Tabs: Widget, Sendable {
    public var titles: [Line]
    public var selected: Int
    public var divider: String
    public var style: Style
    public var selectedStyle: Style

    public init(titles: [Line], selected: Int, divider: String = "│", style: Style = .plain, selectedStyle: Style = Style(modifiers: [.bold, .reverse])) {
        self.titles = titles
        self.selected = selected
        self.divider = divider
        self.style = style
        self.selectedStyle = selectedStyle
    }

    /// The tab whose title (with the space either side) is at column `x` when the tabs are rendered in `area`, or nil
    /// (a divider, past the last title). For mouse clicks.
    public func index(atX x: Int, in area: Rect) -> Int? {
        var start = area.x
        for (index, title) in titles.enumerated() {
            guard start < area.right else { return nil }
            if index > 0 { start += TextWidth.of(divider) }
            let width = min(title.width + 2, max(0, area.right - start))
            if x >= start && x < start + width { return index }
            start += width
        }
        return nil
    }

    public func render(in area: Rect, buffer: inout Buffer) {
        guard !area.isEmpty else { return }
        let row = Rect(x: area.x, y: area.y, width: area.width, height: 1)
        buffer.setStyle(area: row, style)
        var x = area.x
        for (index, title) in titles.enumerated() {
            guard x < area.right else { break }
            if index > 0 {
                x += buffer.setString(x: x, y: area.y, divider, maxWidth: area.right - x)
            }
            let padded = Line(spans: [Span(" ")] + title.spans + [Span(" ")], style: title.style)
            let start = x
            let used = buffer.setLine(x: x, y: area.y, padded, maxWidth: area.right - x)
            if index == selected {
                buffer.setStyle(area: Rect(x: start, y: area.y, width: used, height: 1), selectedStyle)
            }
            x += used
        }
    }
}
