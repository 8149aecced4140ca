/// Colours and modifiers of a cell or a run of text.
///
/// Widgets take `Style`s as parameters; the application maps its theme roles onto them. Styles layer
/// with ``patched(with:)``: a span's style is patched onto the line's, which is patched onto the cell's.
public struct Style: Sendable, Hashable {
    public var fg: Color
    public var bg: Color
    public var modifiers: Modifier

    public init(fg: Color = .default, bg: Color = .default, modifiers: Modifier = []) {
        self.fg = fg
        self.bg = bg
        self.modifiers = modifiers
    }

    /// No colours, no modifiers.
    public static let plain = Style()

    /// This style with `other` laid over it: `other`'s non-default colours win and its modifiers are added.
    public func patched(with other: Style) -> Style {
        Style(
            fg: other.fg == .default ? fg : other.fg,
            bg: other.bg == .default ? bg : other.bg,
            modifiers: modifiers.union(other.modifiers))
    }

    /// This style with `color` as foreground.
    public func fg(_ color: Color) -> Style {
        var copy = self
        copy.fg = color
        return copy
    }

    /// This style with `color` as background.
    public func bg(_ color: Color) -> Style {
        var copy = self
        copy.bg = color
        return copy
    }

    /// This style with `modifier` added.
    public func adding(_ modifier: Modifier) -> Style {
        var copy = self
        copy.modifiers.insert(modifier)
        return copy
    }

    /// This style with `modifier` removed.
    public func removing(_ modifier: Modifier) -> Style {
        var copy = self
        copy.modifiers.remove(modifier)
        return copy
    }

    public func bold() -> Style { adding(.bold) }
    public func dim() -> Style { adding(.dim) }
    public func italic() -> Style { adding(.italic) }
    public func underline() -> Style { adding(.underline) }
    public func reversed() -> Style { adding(.reverse) }

    /// A style with only a foreground colour: `Style.fg(.red).bold()`.
    public static func fg(_ color: Color) -> Style { Style(fg: color) }
    /// A style with only a background colour.
    public static func bg(_ color: Color) -> Style { Style(bg: color) }
    /// A plain bold style.
    public static func bold() -> Style { Style(modifiers: .bold) }
    /// A plain reversed style.
    public static func reversed() -> Style { Style(modifiers: .reverse) }
}
