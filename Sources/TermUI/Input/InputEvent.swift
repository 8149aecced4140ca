/// Something the terminal reports: a key press, a new size or a mouse action.
public enum InputEvent: Sendable, Hashable {
    case key(KeyEvent)
    /// The terminal now has this size; the next ``Terminal/draw(_:)`` redraws everything.
    case resize(Size)
    /// Only when the backend was asked to report the mouse.
    case mouse(MouseEvent)
}
