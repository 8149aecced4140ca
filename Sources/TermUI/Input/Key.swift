/// A key on the keyboard, without modifiers.
public enum Key: Sendable, Hashable {
    /// A printable character (letters keep their case: `G` is Shift-g).
    case char(Character)
    case enter
    case escape
    case backspace
    case tab
    /// Shift-Tab.
    case backTab
    case up
    case down
    case left
    case right
    case pageUp
    case pageDown
    case home
    case end
    case delete
    case insert
    /// F1–F63.
    case function(Int)
}
