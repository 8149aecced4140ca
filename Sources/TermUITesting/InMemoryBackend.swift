import TermUI

/// A terminal that lives in memory: what a ``Terminal`` draws lands in ``buffer``, input comes
/// from a queue of scripted events.
///
/// ```swift
/// let backend = InMemoryBackend(width: 100, height: 30)
/// try backend.enqueue(script: "j j <enter>")
/// ```
public final class InMemoryBackend: TerminalBackend {
    /// What is on the "screen".
    public private(set) var buffer: Buffer
    public private(set) var cursor: Position = Position(x: 0, y: 0)
    public private(set) var isCursorVisible = true
    /// Calls to ``draw(_:)``.
    public private(set) var drawCalls = 0
    /// Cells received by ``draw(_:)``, over all calls.
    public private(set) var cellsDrawn = 0
    /// Cells received by the last ``draw(_:)``.
    public private(set) var lastDrawCellCount = 0
    public private(set) var clearCalls = 0
    public private(set) var flushCalls = 0
    private var events: [InputEvent] = []

    public init(width: Int, height: Int) {
        buffer = Buffer(width: width, height: height)
    }

    /// Events not yet polled.
    public var pendingEvents: [InputEvent] { events }

    public func size() -> Size { buffer.size }

    public func draw(_ changes: [CellChange]) {
        drawCalls += 1
        cellsDrawn += changes.count
        lastDrawCellCount = changes.count
        buffer.apply(changes)
    }

    public func setCursor(x: Int, y: Int) { cursor = Position(x: x, y: y) }
    public func hideCursor() { isCursorVisible = false }
    public func showCursor() { isCursorVisible = true }

    public func clear() {
        clearCalls += 1
        buffer = Buffer(size: buffer.size)
    }

    public func flush() { flushCalls += 1 }

    /// What the last ``copyToClipboard(_:)`` put on the clipboard.
    public private(set) var clipboard: String?
    public func copyToClipboard(_ text: String) { clipboard = text }

    /// The next queued event, or nil at once when the queue is empty (the timeout is not waited).
    /// A queued `.resize` (e.g. `<resize:120x40>` in a key script) changes the screen size as it
    /// is polled, like a real terminal.
    public func pollEvent(timeoutMilliseconds: Int) -> InputEvent? {
        guard !events.isEmpty else { return nil }
        let event = events.removeFirst()
        if case .resize(let size) = event, size != buffer.size {
            buffer = Buffer(size: size)
        }
        return event
    }

    public func enqueue(_ event: InputEvent) { events.append(event) }
    public func enqueue(_ events: [InputEvent]) { self.events.append(contentsOf: events) }

    /// Queues the events of a ``KeyScript``.
    /// - Throws: ``KeyScriptError`` when a token names no key.
    public func enqueue(script: String) throws {
        events.append(contentsOf: try KeyScript.parse(script))
    }

    /// Changes the screen size (contents become blank, as after a real resize before a redraw)
    /// and queues `.resize`.
    public func resize(to size: Size) {
        buffer = Buffer(size: size)
        events.append(.resize(size))
    }

    /// The screen as text: rows joined by "\n", trailing spaces trimmed from each row.
    public func screenText() -> String {
        buffer.lines().map { line in
            var trimmed = Substring(line)
            while trimmed.last == " " { trimmed = trimmed.dropLast() }
            return String(trimmed)
        }.joined(separator: "\n")
    }

    /// The cell at (x, y), with its style, or nil outside the screen.
    public func styledCell(x: Int, y: Int) -> Cell? { buffer.cell(x: x, y: y) }

    /// The first position where `text` appears on one row, or nil.
    public func find(_ text: String) -> Position? {
        for (y, line) in buffer.lines().enumerated() {
            guard let range = line.range(of: text) else { continue }
            return Position(x: TextWidth.of(line[..<range.lowerBound]), y: y)
        }
        return nil
    }
}
