import Foundation

/// Why sample data could not be generated.
public struct GenerationError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case invalidOptions
        case cannotCreateFile
        case cannotWrite
    }

    public var code: Code
    /// What failed, where, and what to do.
    public var message: String
    /// The underlying error's description, if any.
    public var cause: String?

    public var description: String {
        if let cause { return "\(message) (\(cause))" }
        return message
    }
}
