import TermUI

/// A terminal in memory for headless runs (the benchmark): keeps the screen as a buffer and hands
/// out queued events. StewardConsole does not depend on TermUITesting, hence this small twin.
public final class RecordingBackend: TerminalBackend {
    public private(set) var buffer: Buffer
    private var events: [InputEvent] = []
    private var head = 0
    /// Cells received over all draws.
    public private(set) var cellsDrawn = 0

    public init(width: Int, height: Int) {
        buffer = Buffer(width: width, height: height)
    }

    public func size() -> Size { buffer.size }

    public func draw(_ changes: [CellChange]) {
        cellsDrawn += changes.count
        buffer.apply(changes)
    }

    public func setCursor(x: Int, y: Int) {}
    public func hideCursor() {}
    public func showCursor() {}
    public func clear() { buffer = Buffer(size: buffer.size) }
    public func flush() {}

    public func pollEvent(timeoutMilliseconds: Int) -> InputEvent? {
        guard head < events.count else { return nil }
        let event = events[head]
        head += 1
        if case .resize(let size) = event, size != buffer.size { buffer = Buffer(size: size) }
        return event
    }

    public func enqueue(_ event: InputEvent) { events.append(event) }

    /// The screen's rows as text.
    public func screenText() -> String { buffer.lines().joined(separator: "\n") }
}
