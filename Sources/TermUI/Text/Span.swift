/// A run of text in one style.
public struct Span: Sendable, Hashable, ExpressibleByStringInterpolation {
    public var content: String
    public var style: Style

    public init(_ content: String, style: Style = .plain) {
        self.content = content
        self.style = style
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// Display width in columns.
    public var width: Int { TextWidth.of(content) }
}
