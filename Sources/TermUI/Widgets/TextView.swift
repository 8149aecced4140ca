/// Scroll position of a ``TextView``; lives with the caller between frames.
public struct TextViewState: Sendable, Hashable {
    /// First row shown.
    public var offset: Int
    /// Keep the last rows in view as text is appended (logs). Scrolling up turns it off;
    /// ``scrollToBottom()`` turns it back on.
    public var followTail: Bool
    /// Rows of content at the last render (after wrapping).
    public private(set) var contentHeight: Int = 0
    /// Rows of the viewport at the last render.
    public private(set) var viewportHeight: Int = 0

    public init(offset: Int = 0, followTail: Bool = false) {
        self.offset = offset
        self.followTail = followTail
    }

    /// The largest useful offset for the last rendered content.
    public var maxOffset: Int { max(0, contentHeight - viewportHeight) }

    public mutating func scroll(by rows: Int) {
        offset = max(0, min(offset + rows, maxOffset))
        if rows < 0 { followTail = false }
    }

    public mutating func page(down: Bool) {
        scroll(by: (down ? 1 : -1) * max(1, viewportHeight - 1))
    }

    public mutating func scrollToTop() {
        offset = 0
        followTail = false
    }

    public mutating func scrollToBottom() {
        offset = maxOffset
        followTail = true
    }

    /// Handles Up/Down/PgUp/PgDn/Home/End; returns whether the key was used.
    public mutating func handleNavigation(_ key: KeyEvent) -> Bool {
        guard !key.ctrl, !key.alt else { return false }
        switch key.key {
        case .up: scroll(by: -1)
        case .down: scroll(by: 1)
        case .pageUp: page(down: false)
        case .pageDown: page(down: true)
        case .home: scrollToTop()
        case .end: scrollToBottom()
        default: return false
        }
        return true
    }

    mutating func update(contentHeight: Int, viewportHeight: Int) {
        self.contentHeight = contentHeight
        self.viewportHeight = viewportHeight
        if followTail {
            offset = maxOffset
        } else {
            offset = max(0, min(offset, maxOffset))
        }
    }
}

/// A long text the user scrolls: a ``Paragraph`` whose offset comes from a ``TextViewState``.
public struct TextView: StatefulWidget, Sendable {
    public var lines: [Line]
    public var wrap: Bool
    public var style: Style

    public init(lines: [Line], wrap: Bool = true, style: Style = .plain) {
        self.lines = lines
        self.wrap = wrap
        self.style = style
    }

    public func render(in area: Rect, buffer: inout Buffer, state: inout TextViewState) {
        var paragraph = Paragraph(lines: lines, wrap: wrap, style: style)
        let rows = paragraph.displayRows(width: area.width)
        state.update(contentHeight: rows.count, viewportHeight: area.height)
        paragraph = Paragraph(lines: rows, wrap: false, scroll: state.offset, style: style)
        paragraph.render(in: area, buffer: &buffer)
    }
}
