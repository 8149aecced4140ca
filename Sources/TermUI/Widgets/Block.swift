/// Which sides of a ``Block`` have a border.
public struct Borders: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let top = Borders(rawValue: 1 << 0)
    public static let bottom = Borders(rawValue: 1 << 1)
    public static let left = Borders(rawValue: 1 << 2)
    public static let right = Borders(rawValue: 1 << 3)
    public static let all: Borders = [.top, .bottom, .left, .right]
    public static let none: Borders = []
}

/// The line characters of a border.
public struct BorderSet: Sendable, Hashable {
    public var horizontal: String
    public var vertical: String
    public var topLeft: String
    public var topRight: String
    public var bottomLeft: String
    public var bottomRight: String

    public init(horizontal: String, vertical: String, topLeft: String, topRight: String, bottomLeft: String, bottomRight: String) {
        self.horizontal = horizontal
        self.vertical = vertical
        self.topLeft = topLeft
        self.topRight = topRight
        self.bottomLeft = bottomLeft
        self.bottomRight = bottomRight
    }

    public static let plain = BorderSet(horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘")
    public static let rounded = BorderSet(horizontal: "─", vertical: "│", topLeft: "╭", topRight: "╮", bottomLeft: "╰", bottomRight: "╯")
    public static let double = BorderSet(horizontal: "═", vertical: "║", topLeft: "╔", topRight: "╗", bottomLeft: "╚", bottomRight: "╝")
    public static let thick = BorderSet(horizontal: "━", vertical: "┃", topLeft: "┏", topRight: "┓", bottomLeft: "┗", bottomRight: "┛")
}

/// A box around other widgets: borders, a title on the left and/or right of the top edge, and a
/// background style. Render the block, then render the content into ``inner(_:)``.
public struct Block: Widget, Sendable {
    public var borders: Borders
    public var borderSet: BorderSet
    public var borderStyle: Style
    /// Patched onto every cell of the area (background).
    public var style: Style
    public var title: Line?
    public var titleRight: Line?
    /// Patched under the titles' own styles.
    public var titleStyle: Style

    public init(
        borders: Borders = .all, borderSet: BorderSet = .plain, borderStyle: Style = .plain,
        style: Style = .plain, title: Line? = nil, titleRight: Line? = nil, titleStyle: Style = .plain
    ) {
        self.borders = borders
        self.borderSet = borderSet
        self.borderStyle = borderStyle
        self.style = style
        self.title = title
        self.titleRight = titleRight
        self.titleStyle = titleStyle
    }

    /// The area left for content inside the borders.
    public func inner(_ area: Rect) -> Rect {
        var x = area.x
        var y = area.y
        var w = area.width
        var h = area.height
        if borders.contains(.left) { x += 1; w -= 1 }
        if borders.contains(.right) { w -= 1 }
        if borders.contains(.top) || title != nil || titleRight != nil { y += 1; h -= 1 }
        if borders.contains(.bottom) { h -= 1 }
        return Rect(x: min(x, area.right), y: min(y, area.bottom), width: w, height: h)
    }

    public func render(in area: Rect, buffer: inout Buffer) {
        guard !area.isEmpty else { return }
        buffer.setStyle(area: area, style)
        let set = borderSet
        if borders.contains(.top) {
            for x in area.left..<area.right { buffer.setString(x: x, y: area.top, set.horizontal, style: borderStyle) }
        }
        if borders.contains(.bottom) {
            for x in area.left..<area.right { buffer.setString(x: x, y: area.bottom - 1, set.horizontal, style: borderStyle) }
        }
        if borders.contains(.left) {
            for y in area.top..<area.bottom { buffer.setString(x: area.left, y: y, set.vertical, style: borderStyle) }
        }
        if borders.contains(.right) {
            for y in area.top..<area.bottom { buffer.setString(x: area.right - 1, y: y, set.vertical, style: borderStyle) }
        }
        if borders.contains([.top, .left]) { buffer.setString(x: area.left, y: area.top, set.topLeft, style: borderStyle) }
        if borders.contains([.top, .right]) { buffer.setString(x: area.right - 1, y: area.top, set.topRight, style: borderStyle) }
        if borders.contains([.bottom, .left]) { buffer.setString(x: area.left, y: area.bottom - 1, set.bottomLeft, style: borderStyle) }
        if borders.contains([.bottom, .right]) {
            buffer.setString(x: area.right - 1, y: area.bottom - 1, set.bottomRight, style: borderStyle)
        }

        // Titles sit on the top row between the corners, with one space of padding on each side.
        let leftInset = borders.contains(.left) ? 1 : 0
        let rightInset = borders.contains(.right) ? 1 : 0
        let titleRow = Rect(x: area.x + leftInset, y: area.y, width: area.width - leftInset - rightInset, height: 1)
        var rightUsed = 0
        if let titleRight, titleRow.width > 2 {
            let text = Line(spans: [Span(" ")] + titleRight.spans + [Span(" ")], style: titleStyle.patched(with: titleRight.style))
            let fitted = text.truncated(to: titleRow.width / 2)
            rightUsed = fitted.width
            buffer.setLine(x: titleRow.right - rightUsed, y: titleRow.y, fitted)
        }
        if let title, titleRow.width - rightUsed > 2 {
            let text = Line(spans: [Span(" ")] + title.spans + [Span(" ")], style: titleStyle.patched(with: title.style))
            let fitted = text.truncated(to: titleRow.width - rightUsed)
            buffer.setLine(x: titleRow.x, y: titleRow.y, fitted)
        }
    }
}
