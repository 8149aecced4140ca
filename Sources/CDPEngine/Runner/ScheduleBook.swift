import CDPCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the scheduler remembers of each workflow's schedule between looks and restarts, in
/// `lake/schedules.json`: a pause or resume that overrides the file's `pause_status` (and who made it), and
/// the last time the schedule fired. Changes are made under an exclusive `flock` on `lake/schedules.lock`
/// and written to a new file that replaces the old one, so `cdp schedule pause` and a running
/// `cdp scheduler` never lose each other's change and a reader never sees half a file.
struct ScheduleBook {
    struct Entry: Codable, Hashable, Sendable {
        /// `cdp schedule pause` (true) or `resume` (false); nil: as the workflow file says.
        var paused: Bool?
        var changedBy: String?
        var changedAt: String?
        /// The last fire time the scheduler acted on (seconds since 1970); the next fire is looked for after it.
        var lastFire: Double?
        /// The run the schedule (or trigger) last started.
        var lastRun: RunID?
        /// A file arrival trigger's view of its folder: each file as last seen, by path in the workspace.
        var files: [String: WatchedFile]?
        /// When a file arrival trigger last started a run (seconds since 1970).
        var lastTrigger: Double?

        enum CodingKeys: String, CodingKey {
            case paused
            case changedBy = "changed_by"
            case changedAt = "changed_at"
            case lastFire = "last_fire"
            case lastRun = "last_run"
            case files
            case lastTrigger = "last_trigger"
        }
    }

    /// A file in a watched folder as the last look saw it.
    struct WatchedFile: Codable, Hashable, Sendable {
        var size: Int64
        /// Its modification time (seconds since 1970): a change with the size unchanged still counts.
        var modified: Double
        /// When a look first saw it as it is now (the scheduler's clock): it settles that long after.
        var changedAt: Double
        /// It started a run, or the lake had ingested it already: it starts nothing until it changes.
        var handled: Bool

        enum CodingKeys: String, CodingKey {
            case size, modified, handled
            case changedAt = "changed_at"
        }
    }

    static let fileName = "schedules.json"
    static let lockName = "schedules.lock"

    let lakeFolder: URL
    var file: URL { lakeFolder.appendingPathComponent(Self.fileName) }

    /// Every workflow's entry, by workflow file name (`customer_pipeline`).
    /// - Throws: `.store` when the file exists and cannot be read as a schedule book.
    func read() throws(EngineError) -> [String: Entry] {
        guard let data = FileManager.default.contents(atPath: file.path) else { return [:] }
        do {
            return try JSONDecoder().decode([String: Entry].self, from: data)
        } catch {
            throw EngineError(
                .store,
                "\(file.path) cannot be read (\(error)); it holds only pauses and the last fire times: fix it, or delete it to start every schedule afresh"
            )
        }
    }

    /// Changes the book under its lock and writes it back when the change altered it.
    /// - Throws: `.store` when the book cannot be read, locked or written.
    @discardableResult
    func update<T>(_ change: (inout [String: Entry]) throws(EngineError) -> T) throws(EngineError) -> T {
        let lock = lakeFolder.appendingPathComponent(Self.lockName)
        let descriptor = open(lock.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw EngineError(.store, "cannot open \(lock.path): \(String(cString: strerror(errno))); check the lake folder's permissions")
        }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw EngineError(.store, "cannot lock \(lock.path): \(String(cString: strerror(errno)))") }
        }
        let before = try read()
        var entries = before
        let result = try change(&entries)
        guard entries != before else { return result }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try encoder.encode(entries).write(to: file, options: .atomic)
        } catch {
            throw EngineError(.store, "cannot write \(file.path): \(error.localizedDescription)")
        }
        return result
    }
}
