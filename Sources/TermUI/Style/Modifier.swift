/// Text attributes a cell can carry on top of its colours.
public struct Modifier: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let bold = Modifier(rawValue: 1 << 0)
    public static let dim = Modifier(rawValue: 1 << 1)
    public static let italic = Modifier(rawValue: 1 << 2)
    public static let underline = Modifier(rawValue: 1 << 3)
    public static let reverse = Modifier(rawValue: 1 << 4)
}
