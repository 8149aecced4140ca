/// Lines of styled text, optionally wrapped, scrolled down by a fixed number of rows.
///
/// For a long text the user scrolls (logs, details), use ``TextView`` with a ``TextViewState``.
public struct Paragraph: Widget, Sendable {
    public var lines: [Line]
    /// Word-wrap lines wider than the area; otherwise they are cut at the right edge.
    public var wrap: Bool
    /// Rows (after wrapping) skipped at the top.
    public var scroll: Int
    /// Patched onto the whole area first.
    public var style: Style
    /// Alignment for lines that do not set their own.
    public var alignment: Alignment

    public init(lines: [Line], wrap: Bool = false, scroll: Int = 0, style: Style = .plain, alignment: Alignment = .left) {
        self.lines = lines
        self.wrap = wrap
        self.scroll = scroll
        self.style = style
        self.alignment = alignment
    }

    public init(_ text: String, wrap: Bool = false, style: Style = .plain, alignment: Alignment = .left) {
        self.init(lines: Line.lines(of: text), wrap: wrap, style: style, alignment: alignment)
    }

    /// The rows this paragraph shows in an area `width` wide (wrapped if `wrap` is set).
    public func displayRows(width: Int) -> [Line] {
        guard wrap else { return lines }
        return lines.flatMap { $0.wrapped(to: width) }
    }

    public func render(in area: Rect, buffer: inout Buffer) {
        guard !area.isEmpty else { return }
        buffer.setStyle(area: area, style)
        let rows = displayRows(width: area.width)
        let start = max(0, min(scroll, rows.count))
        for (offset, line) in rows[start...].prefix(area.height).enumerated() {
            let row = Rect(x: area.x, y: area.y + offset, width: area.width, height: 1)
            if wrap {
                buffer.setLine(line, in: row, alignment: alignment)
            } else {
                renderUnwrapped(line, in: row, buffer: &buffer)
            }
        }
    }

    private func renderUnwrapped(_ line: Line, in row: Rect, buffer: inout Buffer) {
        if line.width <= row.width {
            buffer.setLine(line, in: row, alignment: alignment)
        } else {
            buffer.setLine(x: row.x, y: row.y, line, maxWidth: row.width)
        }
    }
}
