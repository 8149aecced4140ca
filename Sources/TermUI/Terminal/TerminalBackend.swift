/// The one thing a real terminal (or a test double) must do for a ``Terminal``.
///
/// Implementations: `CursesBackend` (TermUICurses) and `InMemoryBackend` (TermUITesting).
public protocol TerminalBackend: AnyObject {
    /// The current size in cells.
    func size() -> Size
    /// Puts the cells on screen (buffered until ``flush()``). Continuation cells (empty symbol)
    /// are covered by the wide grapheme to their left and should be skipped.
    func draw(_ changes: [CellChange])
    /// Moves the visible cursor (shown with ``showCursor()``).
    func setCursor(x: Int, y: Int)
    func hideCursor()
    func showCursor()
    /// Blanks the whole screen.
    func clear()
    /// Makes everything drawn so far visible.
    func flush()
    /// The next input event, waiting up to `timeoutMilliseconds` (0: don't wait, negative: wait
    /// forever); nil when nothing arrived in time.
    func pollEvent(timeoutMilliseconds: Int) -> InputEvent?
    /// Asks the terminal to put `text` on the system clipboard (``Clipboard/osc52(_:)``); a backend that cannot does
    /// nothing.
    func copyToClipboard(_ text: String)
}

extension TerminalBackend {
    public func copyToClipboard(_ text: String) {}
}
