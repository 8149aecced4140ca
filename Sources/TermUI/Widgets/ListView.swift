/// Selection and scroll of a ``ListView``.
public typealias ListState = SelectionState

/// A scrolling list of lines with one selected item kept in view.
public struct ListView: StatefulWidget, Sendable {
    public var items: [Line]
    public var style: Style
    public var selectedStyle: Style
    /// Drawn before the selected item; other items get the same width of spaces.
    public var highlightSymbol: String

    public init(items: [Line], style: Style = .plain, selectedStyle: Style = Style(modifiers: .reverse), highlightSymbol: String = "") {
        self.items = items
        self.style = style
        self.selectedStyle = selectedStyle
        self.highlightSymbol = highlightSymbol
    }

    public func render(in area: Rect, buffer: inout Buffer, state: inout ListState) {
        guard !area.isEmpty else { return }
        buffer.setStyle(area: area, style)
        state.update(rowCount: items.count, viewportHeight: area.height)
        let symbolWidth = TextWidth.of(highlightSymbol)
        let last = min(items.count, state.offset + area.height)
        guard state.offset < last else { return }
        for index in state.offset..<last {
            let y = area.y + index - state.offset
            let row = Rect(x: area.x, y: y, width: area.width, height: 1)
            if state.selected == index {
                buffer.setStyle(area: row, selectedStyle)
                buffer.setString(x: area.x, y: y, highlightSymbol, maxWidth: area.width)
            }
            let text = Rect(x: area.x + symbolWidth, y: y, width: area.width - symbolWidth, height: 1)
            buffer.setLine(items[index], in: text)
        }
    }
}
