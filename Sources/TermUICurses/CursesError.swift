/// Why the curses terminal could not be used.
public struct CursesError: Error, Hashable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// `newterm` failed: no terminal, or TERM names a terminal the terminfo database lacks.
        case terminalUnavailable
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
