/// How serious a status message is; picks its style in a ``StatusBar``.
public enum Severity: Sendable, Hashable, CaseIterable {
    case info
    case success
    case warning
    case error
}

/// A message for the status bar.
public struct StatusMessage: Sendable, Hashable {
    public var text: String
    public var severity: Severity

    public init(_ text: String, severity: Severity = .info) {
        self.text = text
        self.severity = severity
    }
}

/// A one-row bar: left segment, centre segment (or a message, which takes its place), right segment.
///
/// The right segment is kept whole when possible, then the left; the middle gets what is left,
/// cut with "…".
public struct StatusBar: Widget, Sendable {
    public var left: Line
    public var center: Line
    public var right: Line
    public var message: StatusMessage?
    public var style: Style
    public var messageStyles: [Severity: Style]

    public static let defaultMessageStyles: [Severity: Style] = [
        .info: .plain,
        .success: Style(fg: .green),
        .warning: Style(fg: .yellow, modifiers: .bold),
        .error: Style(fg: .brightWhite, bg: .red, modifiers: .bold),
    ]

    public init(
        left: Line = "", center: Line = "", right: Line = "", message: StatusMessage? = nil,
        style: Style = Style(modifiers: .reverse), messageStyles: [Severity: Style] = StatusBar.defaultMessageStyles
    ) {
        self.left = left
        self.center = center
        self.right = right
        self.message = message
        self.style = style
        self.messageStyles = messageStyles
    }

    public func render(in area: Rect, buffer: inout Buffer) {
        guard !area.isEmpty else { return }
        let row = Rect(x: area.x, y: area.y, width: area.width, height: 1)
        buffer.fill(area: row, with: Cell(symbol: " ", style: style))

        let rightWidth = min(right.width + (right.width > 0 ? 1 : 0), row.width)
        let rightRect = Rect(x: row.right - rightWidth, y: row.y, width: rightWidth, height: 1)
        if rightWidth > 0 {
            buffer.setLine(right, in: Rect(x: rightRect.x, y: row.y, width: rightWidth - 1, height: 1), alignment: .right)
        }
        let leftSpace = row.width - rightWidth
        let leftWidth = min(left.width + (left.width > 0 ? 1 : 0), leftSpace)
        if leftWidth > 0 {
            buffer.setLine(left, in: Rect(x: row.x + 1, y: row.y, width: leftWidth - 1, height: 1))
        }
        let middle = Rect(x: row.x + leftWidth + 1, y: row.y, width: leftSpace - leftWidth - 2, height: 1)
        guard middle.width > 0 else { return }
        if let message {
            let messageStyle = messageStyles[message.severity] ?? .plain
            buffer.setLine(Line(message.text, style: messageStyle), in: middle, alignment: .left)
        } else {
            buffer.setLine(center, in: middle, alignment: .center)
        }
    }
}
