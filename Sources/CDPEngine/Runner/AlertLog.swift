import CDPCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The alerts the workflows raised (a failed run, a run past its health limit, a rule's pass rate below its
/// threshold), one JSON line each in `lake/alerts.jsonl` (mode 0600), newest last; the console's Runs screen shows the
/// last one through ``LakeReader/lastAlert()``, which withholds a failure's detail without `view_pii`. Appends are single `write`s of a whole line to a file opened for appending.
public struct AlertLog: Sendable {
    public struct Alert: Hashable, Codable, Sendable {
        public var at: String
        public var workflow: String
        public var run: RunID
        public var event: NotificationEvent
        public var text: String
    }

    public static let fileName = "alerts.jsonl"
    let file: URL

    public init(lakeFolder: URL) { file = lakeFolder.appendingPathComponent(Self.fileName) }

    /// Appends an alert.
    /// - Throws: `.store` when the file cannot be written.
    func append(_ alert: Alert) throws(EngineError) {
        guard var line = try? JSONEncoder.sortedLines.encode(alert) else { return }
        line.append(0x0A)
        // Private to the lake's owner: a failed run's alert quotes what it refused.
        let descriptor = open(file.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw EngineError(.store, "cannot open \(file.path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == line.count else { throw EngineError(.store, "cannot append to \(file.path): \(String(cString: strerror(errno)))") }
    }

    /// The newest alert, or nil when there is none.
    /// - Throws: `.store` when the last line cannot be read as an alert.
    public func last() throws(EngineError) -> Alert? {
        guard let data = FileManager.default.contents(atPath: file.path) else { return nil }
        guard let line = data.split(separator: 0x0A).last else { return nil }
        do {
            return try JSONDecoder().decode(Alert.self, from: Data(line))
        } catch {
            throw EngineError(.store, "the last line of \(file.path) is not an alert (\(error)); fix or remove that line")
        }
    }
}
