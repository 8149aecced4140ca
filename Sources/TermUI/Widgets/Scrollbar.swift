/// A vertical scrollbar: a thumb on a track showing which part of a long list is in view.
///
/// Draws nothing when everything fits. The thumb is at least one cell; it touches the bottom only
/// when the last item is in view. Render it in a one-column area, e.g. the right border of a block.
public struct Scrollbar: Widget, Sendable {
    /// Total items (rows) in the content.
    public var contentLength: Int
    /// Items visible at once.
    public var viewportLength: Int
    /// Index of the first visible item.
    public var position: Int
    public var trackSymbol: String
    public var thumbSymbol: String
    public var trackStyle: Style
    public var thumbStyle: Style

    public init(
        contentLength: Int, viewportLength: Int, position: Int, trackSymbol: String = "│", thumbSymbol: String = "█",
        trackStyle: Style = Style(modifiers: .dim), thumbStyle: Style = .plain
    ) {
        self.contentLength = contentLength
        self.viewportLength = viewportLength
        self.position = position
        self.trackSymbol = trackSymbol
        self.thumbSymbol = thumbSymbol
        self.trackStyle = trackStyle
        self.thumbStyle = thumbStyle
    }

    /// A scrollbar for a table or list with this selection state.
    public init(_ selection: SelectionState) {
        self.init(contentLength: selection.rowCount, viewportLength: selection.viewportHeight, position: selection.offset)
    }

    /// The thumb's first row and length within a track `height` rows long, or nil when all fits.
    public func thumb(height: Int) -> (start: Int, length: Int)? {
        guard height > 0, viewportLength > 0, contentLength > viewportLength else { return nil }
        let length = max(1, min(height, height * viewportLength / contentLength))
        let maxPosition = contentLength - viewportLength
        let clamped = max(0, min(position, maxPosition))
        let travel = height - length
        // Rounded up so the thumb leaves the top as soon as the view does, and reaches the bottom
        // only at the end.
        var start = (travel * clamped + maxPosition - 1) / maxPosition
        if clamped < maxPosition { start = min(start, travel - (travel > 0 ? 1 : 0)) }
        return (start, length)
    }

    public func render(in area: Rect, buffer: inout Buffer) {
        guard !area.isEmpty, let thumb = thumb(height: area.height) else { return }
        for row in 0..<area.height {
            let isThumb = row >= thumb.start && row < thumb.start + thumb.length
            buffer.setString(
                x: area.x, y: area.y + row, isThumb ? thumbSymbol : trackSymbol, style: isThumb ? thumbStyle : trackStyle,
                maxWidth: 1)
        }
    }
}
