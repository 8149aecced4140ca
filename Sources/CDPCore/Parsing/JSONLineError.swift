/// Why a JSON line could not be read, at which byte and in which member; never what the line holds there (it may be
/// a personal value, which the failure would show to everyone who may read it).
public struct JSONLineError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The 1-based byte column where the problem was found.
    public var column: Int
    /// What was wrong, without the position ("expected ',' or '}'").
    public var reason: String
    /// The key of the member whose value was being read (or had just been read); nil before the first key.
    public var member: String?

    public init(column: Int, reason: String, member: String? = nil) {
        self.column = column
        self.reason = reason
        self.member = member
    }

    /// The reason and where: "expected ',' or '}' at column 57, member \"email\"".
    public var message: String { "\(reason) at column \(column)" + (member.map { ", member \"\($0)\"" } ?? "") }
    public var description: String { message }
}
