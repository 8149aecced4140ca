import CDPCore
import Foundation
import GRDB
import GRDBSQLite

/// One source row ready to be written: its bronze lineage and where it goes.
public struct IngestRow: Sendable {
    public enum Destination: Sendable {
        /// Valid: a silver row. `supersedes` marks the key's current silver row as history.
        case silver(values: [FieldValue?], supersedes: Bool, warnings: [RuleFailure])
        /// Invalid: held with every failure and the raw values by canonical field.
        case quarantine(fields: [String: String], failures: [RuleFailure])
    }

    public var line: Int
    public var sourceKey: String
    public var contentHash: Int64
    /// The source row as read: a CSV line in the file's column order, or a JSON Lines line.
    public var raw: String
    public var destination: Destination

    public init(line: Int, sourceKey: String, contentHash: Int64, raw: String, destination: Destination) {
        self.line = line
        self.sourceKey = sourceKey
        self.contentHash = contentHash
        self.raw = raw
        self.destination = destination
    }
}

/// Writes a batch's rows in chunks, one transaction per chunk, through prepared statements bound with
/// SQLite's C API (the hot path of ingestion; see NOTES.md for why not Codable records here).
public struct BatchWriter: Sendable {
    public let store: LakeStore
    public let batch: BatchID
    public let run: RunID?
    public let source: SourceName
    public let entity: CanonicalEntity
    public let timestamp: String

    public init(store: LakeStore, batch: BatchID, run: RunID?, source: SourceName, entity: CanonicalEntity, timestamp: String) {
        self.store = store
        self.batch = batch
        self.run = run
        self.source = source
        self.entity = entity
        self.timestamp = timestamp
    }

    /// Writes one chunk atomically, together with an optional progress event.
    public func write(_ rows: [IngestRow], event: RunEvent?) throws(StoreError) {
        try store.write("write rows of batch \(batch)") { db in
            let fields = entity.fields
            let bronze = try db.cachedStatement(
                sql: "INSERT INTO bronze_row (batch_id, source, line, source_key, content_hash, raw) VALUES (?, ?, ?, ?, ?, ?)")
            let placeholders = Array(repeating: "?", count: fields.count + 6).joined(separator: ", ")
            let silver = try db.cachedStatement(
                sql: """
                    INSERT INTO \(entity.silverTable) (bronze_id, batch_id, source, source_key, content_hash, is_current, \
                    \(fields.map(\.name).joined(separator: ", "))) VALUES (\(placeholders))
                    """)
            let supersede = try db.cachedStatement(
                sql: "UPDATE \(entity.silverTable) SET is_current = 0, superseded_by = ? WHERE source = ? AND source_key = ? AND is_current = 1")
            let warning = try db.cachedStatement(
                sql: "INSERT INTO row_warning (bronze_id, batch_id, source, rule, field, value, message) VALUES (?, ?, ?, ?, ?, ?, ?)")
            let quarantine = try db.cachedStatement(
                sql: """
                    INSERT INTO quarantine_record (bronze_id, batch_id, run_id, source, entity, source_key, line, status,
                        fields, failures, rules, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?)
                    """)
            let scratch = BindScratch()
            for row in rows {
                var b = Binder(bronze, scratch)
                b.bind(batch.rawValue); b.bind(source.rawValue); b.bind(Int64(row.line)); b.bind(row.sourceKey)
                b.bind(row.contentHash); b.bind(row.raw)
                try b.run(db)
                let bronzeID = sqlite3_last_insert_rowid(db.sqliteConnection)
                switch row.destination {
                case .silver(let values, let supersedes, let warnings):
                    if supersedes {
                        var u = Binder(supersede, scratch)
                        u.bind(batch.rawValue); u.bind(source.rawValue); u.bind(row.sourceKey)
                        try u.run(db)
                    }
                    var s = Binder(silver, scratch)
                    s.bind(bronzeID); s.bind(batch.rawValue); s.bind(source.rawValue); s.bind(row.sourceKey)
                    s.bind(row.contentHash); s.bind(Int64(1))
                    for value in values { s.bind(value) }
                    try s.run(db)
                    for failure in warnings {
                        var w = Binder(warning, scratch)
                        w.bind(bronzeID); w.bind(batch.rawValue); w.bind(source.rawValue); w.bind(failure.rule)
                        w.bind(failure.field); w.bind(failure.value); w.bind(failure.message)
                        try w.run(db)
                    }
                case .quarantine(let values, let failures):
                    var q = Binder(quarantine, scratch)
                    q.bind(bronzeID); q.bind(batch.rawValue); q.bind(run?.rawValue); q.bind(source.rawValue)
                    q.bind(entity.rawValue); q.bind(row.sourceKey); q.bind(Int64(row.line))
                    q.bind(CompactJSON.object(values))
                    q.bind(CompactJSON.failures(failures))
                    q.bind("," + failures.map(\.rule).joined(separator: ",") + ",")
                    q.bind(timestamp); q.bind(timestamp)
                    try q.run(db)
                }
            }
            if let event { try LakeStore.insertEvent(event, db) }
        }
    }
}

/// The text parameters of one statement execution, copied into one reused buffer. Binding from it with
/// `SQLITE_STATIC` spares SQLite a malloc, a copy and a free per text value (about twenty a row).
final class BindScratch {
    var bytes: [UInt8] = []
    var texts: [(index: Int32, offset: Int, count: Int)] = []

    init() {
        bytes.reserveCapacity(4096)
        texts.reserveCapacity(32)
    }
}

/// Binds parameters in order onto a prepared statement, then steps and resets it. Every parameter is bound
/// again for every execution.
struct Binder {
    private let statement: Statement
    private let scratch: BindScratch
    private var index: Int32 = 1

    /// A binder with its own scratch buffer, for a one-off execution.
    init(_ statement: Statement) { self.init(statement, BindScratch()) }

    init(_ statement: Statement, _ scratch: BindScratch) {
        self.statement = statement
        self.scratch = scratch
        scratch.bytes.removeAll(keepingCapacity: true)
        scratch.texts.removeAll(keepingCapacity: true)
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    mutating func bind(_ value: Int64?) {
        if let value {
            sqlite3_bind_int64(statement.sqliteStatement, index, value)
        } else {
            sqlite3_bind_null(statement.sqliteStatement, index)
        }
        index += 1
    }

    mutating func bind(_ value: String?) {
        if var value {
            let offset = scratch.bytes.count
            value.withUTF8 { scratch.bytes.append(contentsOf: $0) }
            scratch.texts.append((index, offset, scratch.bytes.count - offset))
        } else {
            sqlite3_bind_null(statement.sqliteStatement, index)
        }
        index += 1
    }

    mutating func bind(_ value: FieldValue?) {
        switch value {
        case nil: bind(nil as Int64?)
        case .text(let text): bind(text)
        case .integer(let int): bind(int)
        case .boolean(let flag): bind(Int64(flag ? 1 : 0))
        case .decimal(let double):
            sqlite3_bind_double(statement.sqliteStatement, index, double)
            index += 1
        }
    }

    /// Binds the text parameters, executes the statement once and resets it for the next row.
    mutating func run(_ db: Database) throws {
        let handle = statement.sqliteStatement
        let scratch = self.scratch
        let code = scratch.bytes.withUnsafeBufferPointer { buffer -> Int32 in
            for text in scratch.texts {
                if let base = buffer.baseAddress {
                    // SQLITE_STATIC (nil): the buffer outlives the step below, and every text is bound again
                    // before the next one.
                    let pointer = UnsafeRawPointer(base + text.offset).assumingMemoryBound(to: CChar.self)
                    sqlite3_bind_text(handle, text.index, pointer, Int32(text.count), nil)
                } else {
                    // An empty buffer has no address; a nil pointer would bind NULL, not an empty string.
                    sqlite3_bind_text(handle, text.index, "", 0, Binder.transient)
                }
            }
            let code = sqlite3_step(handle)
            sqlite3_reset(handle)
            return code
        }
        index = 1
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
        }
    }
}
