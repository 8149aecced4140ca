/// One problem of a configuration file: the setting it is about, as a path into the file
/// (`rules[29].min`, `tasks[2].cdp_task.step`, `users.sam`), and what is wrong with it, in words.
///
/// The core names the setting; the engine, which has the file's text, adds the file, line and column.
public struct ConfigurationIssue: Hashable, Sendable, CustomStringConvertible {
    /// Where the problem is: dotted keys with `[index]` for list elements; empty for the whole file.
    public var path: String
    public var message: String

    public init(_ path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    /// `rules[29].min: must be a number, found a string`.
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}
