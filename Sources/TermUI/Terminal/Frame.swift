/// What a draw closure renders into: the screen area, its buffer and the cursor request.
public struct Frame {
    /// The whole screen.
    public let area: Rect
    public var buffer: Buffer
    /// Where to show the cursor after this frame; nil hides it.
    public private(set) var cursor: Position?

    public init(buffer: Buffer) {
        self.area = buffer.area
        self.buffer = buffer
        self.cursor = nil
    }

    public mutating func render<W: Widget>(_ widget: W, in area: Rect) {
        widget.render(in: area.intersection(self.area), buffer: &buffer)
    }

    public mutating func render<W: StatefulWidget>(_ widget: W, in area: Rect, state: inout W.State) {
        widget.render(in: area.intersection(self.area), buffer: &buffer, state: &state)
    }

    /// Shows the cursor at (x, y) after this frame.
    public mutating func setCursor(x: Int, y: Int) {
        cursor = Position(x: x, y: y)
    }

    public mutating func setCursor(_ position: Position?) {
        cursor = position
    }
}
