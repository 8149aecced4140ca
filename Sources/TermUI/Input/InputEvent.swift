/// Something the terminal reports: a key press or a new size.
public enum InputEvent: Sendable, Hashable {
    case key(KeyEvent)
    /// The terminal now has this size; the next ``Terminal/draw(_:)`` redraws everything.
    case resize(Size)
}
