import Foundation

/// What the console remembers between sessions, per user: a small JSON file in the user's config folder
/// (`$XDG_CONFIG_HOME/cdp/console.json`, else `~/.config/cdp/console.json`).
public struct ConsoleSettings: Sendable, Hashable, Codable {
    /// The theme last chosen with `T`.
    public var theme: String?

    public init(theme: String? = nil) {
        self.theme = theme
    }

    /// The settings file of the user running the console, or nil when there is no home folder to keep it in.
    public static func defaultFile(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") {
            return URL(fileURLWithPath: config).appendingPathComponent("cdp/console.json")
        }
        guard let home = environment["HOME"], home.hasPrefix("/") else { return nil }
        return URL(fileURLWithPath: home).appendingPathComponent(".config/cdp/console.json")
    }

    /// Reads the settings; a missing file is the defaults.
    /// - Throws: ``ConsoleSettingsError`` naming the file when it cannot be read or is not valid.
    public static func load(from file: URL) throws(ConsoleSettingsError) -> ConsoleSettings {
        guard FileManager.default.fileExists(atPath: file.path) else { return ConsoleSettings() }
        do {
            return try JSONDecoder().decode(ConsoleSettings.self, from: Data(contentsOf: file))
        } catch {
            throw ConsoleSettingsError(file: file.path, message: "cannot be read (\(error)); delete it or fix it", cause: error)
        }
    }

    /// Writes the settings, creating the folder when needed.
    /// - Throws: ``ConsoleSettingsError`` naming the file when it cannot be written.
    public func save(to file: URL) throws(ConsoleSettingsError) {
        do {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(self).write(to: file, options: .atomic)
        } catch {
            throw ConsoleSettingsError(file: file.path, message: "cannot be written (\(error.localizedDescription))", cause: error)
        }
    }
}

/// A settings file that could not be read or written: which file, what went wrong, and the cause.
public struct ConsoleSettingsError: Error, CustomStringConvertible {
    public var file: String
    public var message: String
    public var cause: (any Error)?

    public var description: String { "console settings \(file): \(message)" }
}
