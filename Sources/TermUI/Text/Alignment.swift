/// Horizontal placement of text within its area.
public enum Alignment: Sendable, Hashable {
    case left
    case center
    case right
}
