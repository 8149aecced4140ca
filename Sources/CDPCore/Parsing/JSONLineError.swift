/// Why a JSON line could not be read, and at which byte.
public struct JSONLineError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The 1-based byte column where the problem was found.
    public var column: Int
    /// What was wrong, without the position ("expected ',' or '}'").
    public var reason: String

    public init(column: Int, reason: String) {
        self.column = column
        self.reason = reason
    }

    /// The reason and where: "expected ',' or '}' at column 57".
    public var message: String { "\(reason) at column \(column)" }
    public var description: String { message }
}
