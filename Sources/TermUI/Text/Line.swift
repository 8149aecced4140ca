/// One line of styled text: spans, a base style patched under them and an optional alignment.
public struct Line: Sendable, Hashable, ExpressibleByStringInterpolation {
    public var spans: [Span]
    /// Patched under every span's style.
    public var style: Style
    /// Where the line sits in a wider area; nil lets the widget decide (usually left).
    public var alignment: Alignment?

    public init(spans: [Span], style: Style = .plain, alignment: Alignment? = nil) {
        self.spans = spans
        self.style = style
        self.alignment = alignment
    }

    public init(_ content: String, style: Style = .plain, alignment: Alignment? = nil) {
        self.init(spans: [Span(content)], style: style, alignment: alignment)
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// Display width in columns.
    public var width: Int { spans.reduce(0) { $0 + $1.width } }

    /// The text without styles.
    public var plainText: String { spans.map(\.content).joined() }

    /// This line with `alignment`.
    public func aligned(_ alignment: Alignment) -> Line {
        var copy = self
        copy.alignment = alignment
        return copy
    }

    /// This line with `style` as its base style.
    public func styled(_ style: Style) -> Line {
        var copy = self
        copy.style = style
        return copy
    }

    /// Lines split at "\n" in `text`, each in `style`.
    public static func lines(of text: String, style: Style = .plain) -> [Line] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { Line(String($0), style: style) }
    }
}
