/// A mouse button.
public enum MouseButton: Sendable, Hashable {
    case left
    case middle
    case right
}

/// A mouse action at a cell, reported only when the backend has mouse reporting turned on.
public struct MouseEvent: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case press(MouseButton)
        case release(MouseButton)
        case scrollUp
        case scrollDown
    }

    public var kind: Kind
    /// Column, 0-based.
    public var x: Int
    /// Row, 0-based.
    public var y: Int
    public var ctrl: Bool
    public var alt: Bool
    public var shift: Bool

    public init(_ kind: Kind, x: Int, y: Int, ctrl: Bool = false, alt: Bool = false, shift: Bool = false) {
        self.kind = kind
        self.x = x
        self.y = y
        self.ctrl = ctrl
        self.alt = alt
        self.shift = shift
    }

    public var position: Position { Position(x: x, y: y) }
}
