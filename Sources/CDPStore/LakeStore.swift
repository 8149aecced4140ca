import CDPCore
import CDPRepositories
import CSQLiteSetup
import Foundation
import GRDB
import GRDBSQLite

/// The lake's database: runs, batches, bronze, silver, quarantine and the audit log.
///
/// On disk it is SQLite in WAL mode, so a console can read while a run writes. Tests can use an in-memory
/// store with the same schema.
public final class LakeStore: Sendable {
    let writer: any DatabaseWriter
    /// Where the database lives; nil in memory.
    public let path: String?
    /// The folder landed paths are relative to; nil when the store cannot read landed files (in memory).
    let workspaceRoot: String?

    /// Log pages (16 KiB each, so 64 MiB) after which the log is copied into the database file.
    public static let autocheckpointPages: Int32 = 4096

    /// How a store opens its database.
    public enum OpenMode: String, Sendable {
        /// Creates the lake if needed and brings its schema up to date (a migration writes).
        case readWrite = "read-write"
        /// Never writes: no migration, SQLite's read-only open. Commands that only read open this way, so
        /// they work on a lake the user may not write (file modes, a read-only mount).
        case readOnly = "read-only"
    }

    /// Whether this store may write.
    public let mode: OpenMode

    /// Opens (creating if needed) the lake database at `path` and brings its schema up to date, or, with
    /// `.readOnly`, opens it without writing anything.
    /// `workspaceRoot` is the folder landed paths are relative to: `bronze_row.raw` reads records from there.
    /// - Throws: `StoreError.readOnly` when a read-write open meets a lake it may not write;
    ///   `.schemaOutdated` when a read-only open meets a lake an older release wrote (a writing command
    ///   upgrades it); `.cannotOpen` naming the path otherwise.
    public init(path: String, workspaceRoot: String? = nil, mode: OpenMode = .readWrite) throws(StoreError) {
        let exists = FileManager.default.fileExists(atPath: path)
        // A lake that does not exist yet has nothing to protect: even a reading command creates it.
        let mode: OpenMode = exists ? mode : .readWrite
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.readonly = mode == .readOnly
        let landedText = Self.landedTextFunction(root: workspaceRoot)
        configuration.prepareDatabase { db in
            db.add(function: landedText)
            // 16 KiB pages (set when the file is created, ignored after) cut the pages and WAL frames that bulk
            // ingestion writes by four; checkpointing every 64 MiB of WAL rather than every 4 MiB cuts fsyncs.
            // No zeroing of freed space (Debian builds SQLite with secure_delete on): every landed file is kept
            // as landed beside the database, so zeroes there would hide nothing, and they cost each page split
            // of ingestion a memset of whole pages (a tenth of the writer's instructions).
            try db.execute(
                sql: """
                    PRAGMA page_size = 16384; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536;
                    PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = \(LakeStore.autocheckpointPages);
                    PRAGMA secure_delete = OFF
                    """)
        }
        switch mode {
        case .readWrite:
            if exists, let reason = Self.unwritableReason(path) {
                throw StoreError(
                    .readOnly,
                    "the lake at \(path) is read-only (\(reason)) and this command writes to it; commands that only read "
                        + "(status, verify, query, runs, audit, access history, whoami) still work")
            }
            do {
                let pool = try DatabasePool(path: path, configuration: configuration)
                try LakeSchema.migrator.migrate(pool)
                writer = pool
            } catch {
                throw StoreError(.cannotOpen, "cannot open the lake database at \(path); check the path and permissions", underlying: error)
            }
        case .readOnly:
            writer = try Self.openReadOnly(path: path, configuration: configuration)
        }
        self.path = path
        self.workspaceRoot = workspaceRoot
        self.mode = mode
        if mode == .readWrite { anchorAuditHeadIfUnanchored() }
    }

    /// Why the process may not write the lake at `path` (its file or its folder), or nil when it may.
    /// `access(2)` answers for this process's user and a read-only mount alike.
    static func unwritableReason(_ path: String) -> String? {
        let folder = (path as NSString).deletingLastPathComponent
        for (file, what) in [(path, "the database file"), (folder.isEmpty ? "." : folder, "its folder")] where access(file, W_OK) != 0 {
            let cause = errno == EROFS ? "a read-only file system" : "no write permission"
            return "\(what) \(file): \(cause)"
        }
        return nil
    }

    /// A read-only connection that checks the schema is this build's. A WAL database in a folder nobody may
    /// write cannot be opened read-only the usual way (SQLite needs its `-shm` file); there, nothing can change
    /// the file either, so it is opened as immutable.
    static func openReadOnly(path: String, configuration: Configuration) throws(StoreError) -> DatabaseQueue {
        func open(_ name: String) throws -> DatabaseQueue {
            let queue = try DatabaseQueue(path: name, configuration: configuration)
            let missing = try queue.read { db in
                try Set(LakeSchema.migrator.migrations).subtracting(LakeSchema.migrator.appliedIdentifiers(db))
            }
            guard missing.isEmpty else {
                throw StoreError(
                    .schemaOutdated,
                    "the lake at \(path) was written by an older release of cdp and needs upgrading (migrations "
                        + "\(LakeSchema.migrator.migrations.filter(missing.contains).joined(separator: ", ")) are not applied); a command that only reads does not "
                        + "upgrade it: run a writing command once (e.g. `cdp run`) where the lake is writable")
            }
            return queue
        }
        do {
            return try open(path)
        } catch let error as StoreError {
            throw error
        } catch {
            guard unwritableReason(path) != nil else {
                throw StoreError(.cannotOpen, "cannot open the lake database at \(path) read-only; check the path and permissions", underlying: error)
            }
            do {
                return try open(uri(path) + "?immutable=1")
            } catch let error as StoreError {
                throw error
            } catch {
                throw StoreError(.cannotOpen, "cannot open the lake database at \(path) read-only; check the path and permissions", underlying: error)
            }
        }
    }

    /// `path` as an SQLite URI filename, without query parameters.
    static func uri(_ path: String) -> String {
        "file:" + path.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "?", with: "%3f")
            .replacingOccurrences(of: "#", with: "%23")
    }

    /// An empty store in memory, for tests.
    public init(inMemory: Void = ()) throws(StoreError) {
        do {
            var configuration = Configuration()
            let landedText = Self.landedTextFunction(root: nil)
            configuration.prepareDatabase { db in db.add(function: landedText) }
            let queue = try DatabaseQueue(configuration: configuration)
            try LakeSchema.migrator.migrate(queue)
            writer = queue
        } catch {
            throw StoreError(.cannotOpen, "cannot create an in-memory lake", underlying: error)
        }
        path = nil
        workspaceRoot = nil
        mode = .readWrite
    }

    /// Stops SQLite counting its memory in this process, for headless runs that write in bulk: with the
    /// count on, every allocation inside SQLite takes a global mutex (about ten lock and unlock pairs a row
    /// ingested). Not for the console: it caps SQLite's memory with `soft_heap_limit`, which needs the count.
    ///
    /// Call it first thing in the process, before any lake opens and before other threads start (SQLite
    /// takes the setting only before its first connection, and not while another thread uses it).
    /// Returns false, changing nothing, when SQLite is already in use.
    @discardableResult
    public static func stopCountingSQLiteMemory() -> Bool {
        memoryCountStopped
    }

    /// Once per process, whoever asks first.
    private static let memoryCountStopped: Bool = cdp_sqlite_disable_memory_statistics() == SQLITE_OK

    /// Whether SQLite counts its memory in this process.
    static var sqliteCountsMemory: Bool { cdp_sqlite_counts_memory() != 0 }

    /// `landed_text(path, offset, length)`: ``landedText(root:path:span:)`` in SQL. `bronze_row.raw` is
    /// this: bronze keeps each row as its span of the immutable landed copy, not as a second copy of its text.
    /// `name` is the SQL name (a user query's connection gives it one user SQL cannot know).
    static func landedTextFunction(root: String?, name: String = "landed_text") -> DatabaseFunction {
        DatabaseFunction(name, argumentCount: 3, pure: false) { arguments in
            guard let root, let path = String.fromDatabaseValue(arguments[0]),
                let offset = Int64.fromDatabaseValue(arguments[1]), let length = Int64.fromDatabaseValue(arguments[2])
            else { return nil }
            return landedText(root: root, path: path, span: RecordSpan(offset: offset, length: length))
        }
    }

    /// The text of a record's span of a landed file (``LandedFile/text(root:path:span:)``).
    static func landedText(root: String, path: String, span: RecordSpan) -> String? {
        LandedFile.text(root: root, path: path, span: span)
    }

    /// Names of the migrations applied, oldest first.
    public func appliedMigrations() throws(StoreError) -> [String] {
        try read("read migrations") { db in try LakeSchema.migrator.appliedMigrations(db) }
    }

    func read<T>(_ operation: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        do { return try writer.read(body) } catch { throw StoreError.wrapping(error, operation) }
    }

    func write<T>(_ operation: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        guard mode == .readWrite else { throw readOnlyRefusal(operation) }
        do { return try writer.write(body) } catch { throw StoreError.wrapping(error, operation) }
    }

    /// The error of a write asked of a store opened read-only.
    func readOnlyRefusal(_ operation: String) -> StoreError {
        StoreError(.readOnly, "cannot \(operation): the lake is open read-only for a command that only reads; run a command that writes")
    }


    /// Runs read-only SQL with the engine's own rights: nothing refused but writes, nothing masked. For the
    /// engine's reads, benchmarks and tests; a user's SQL goes through ``userQuery(_:policy:batchSize:header:rows:)``.
    /// - Throws: `StoreError.conflict` when the statement would write.
    public func query(_ sql: String, limit: Int = 10_000) throws(StoreError) -> QueryResult {
        try read("query") { db in
            let statement = try db.makeStatement(sql: sql)
            guard statement.isReadonly else {
                throw StoreError(.conflict, "queries over the lake are read-only; the statement would change the lake")
            }
            var result = QueryResult(columns: statement.columnNames, rows: [])
            let count = result.columns.count
            let cursor = try Row.fetchCursor(statement)
            while result.rows.count < limit, let row = try cursor.next() {
                result.rows.append((0..<count).map { index in
                    let value: DatabaseValue = row[index]
                    switch value.storage {
                    case .null: return nil
                    case .int64(let int): return String(int)
                    case .double(let double): return DecimalText.format(double)
                    case .string(let text): return text
                    case .blob(let data): return "<\(data.count) bytes>"
                    }
                })
            }
            return result
        }
    }
}
