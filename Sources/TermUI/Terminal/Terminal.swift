/// Draws frames on a backend, sending only the cells that changed since the previous frame.
///
/// ```swift
/// let terminal = Terminal(backend: backend)
/// terminal.draw { frame in
///     frame.render(Paragraph(lines: ["Hello"]), in: frame.area)
/// }
/// ```
/// When the backend's size changes (or after ``invalidate()``), the next draw clears the screen
/// and sends every cell.
public final class Terminal {
    public let backend: any TerminalBackend
    private var previous: Buffer?
    private var cursorVisible: Bool?

    /// Cells sent to the backend by the last ``draw(_:)``.
    public private(set) var lastFrameCellsSent = 0
    /// Cells sent since this terminal was created.
    public private(set) var totalCellsSent = 0
    /// Frames drawn since this terminal was created.
    public private(set) var framesDrawn = 0
    /// Frames that were full redraws (first frame, size change, invalidation).
    public private(set) var fullRedraws = 0

    public init(backend: any TerminalBackend) {
        self.backend = backend
    }

    /// The backend's current size.
    public var size: Size { backend.size() }

    /// The buffer of the last frame drawn, if any.
    public var lastBuffer: Buffer? { previous }

    /// Makes the next draw clear the screen and send every cell (after something else wrote on it).
    public func invalidate() {
        previous = nil
        cursorVisible = nil
    }

    /// Renders a frame with `render`, then sends what changed and flushes.
    /// - Returns: the buffer that is now on screen.
    @discardableResult
    public func draw(_ render: (inout Frame) -> Void) -> Buffer {
        let size = backend.size()
        var frame = Frame(buffer: Buffer(size: size))
        render(&frame)
        let buffer = frame.buffer

        let changes: [CellChange]
        if let previous, previous.width == buffer.width, previous.height == buffer.height {
            changes = buffer.diff(from: previous)
        } else {
            backend.clear()
            changes = buffer.allCells()
            fullRedraws += 1
        }
        if !changes.isEmpty { backend.draw(changes) }

        if let cursor = frame.cursor, buffer.area.contains(x: cursor.x, y: cursor.y) {
            backend.setCursor(x: cursor.x, y: cursor.y)
            if cursorVisible != true { backend.showCursor() }
            cursorVisible = true
        } else if cursorVisible != false {
            backend.hideCursor()
            cursorVisible = false
        }
        backend.flush()

        previous = buffer
        lastFrameCellsSent = changes.count
        totalCellsSent += changes.count
        framesDrawn += 1
        return buffer
    }
}
