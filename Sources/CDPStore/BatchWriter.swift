import CDPCore
import CDPRepositories
import Foundation
import GRDB
import GRDBSQLite

/// Writes a batch's rows in chunks, one transaction per chunk, through prepared statements bound with
/// SQLite's C API (the hot path of ingestion; see NOTES.md for why not Codable records here).
public struct BatchWriter: Sendable {
    public let store: LakeStore
    public let batch: BatchID
    public let run: RunID?
    public let source: SourceName
    public let entity: CanonicalEntity
    public let timestamp: String
    /// Whether silver rows carry a last value for `silver_customer.attributes` (a source with extra attributes).
    public let keepsAttributes: Bool

    public init(
        store: LakeStore, batch: BatchID, run: RunID?, source: SourceName, entity: CanonicalEntity, timestamp: String,
        keepsAttributes: Bool = false
    ) {
        precondition(!keepsAttributes || entity == .customer, "only customers keep extra attributes")
        self.keepsAttributes = keepsAttributes
        self.store = store
        self.batch = batch
        self.run = run
        self.source = source
        self.entity = entity
        self.timestamp = timestamp
    }

    /// Writes rows atomically, together with an optional progress event.
    public func write(_ rows: [IngestRow], event: RunEvent?) throws(StoreError) {
        var chunk = IngestChunk(expectedRows: rows.count)
        for row in rows { chunk.append(row) }
        try write(chunk, event: event)
    }

    /// Rows inserted by one statement execution. Each execution of an INSERT opens its table's and indexes'
    /// cursors again; many rows a statement share that cost (a few microseconds a row at ingest rates).
    static let rowsPerStatement = 32

    /// Writes one chunk atomically, together with an optional progress event.
    ///
    /// Rows get their bronze ids here, the next ones of the lake's sequence in file order, so that silver,
    /// quarantine and warning rows can name them without asking SQLite for each one. A row's bronze lineage
    /// (batch, line, its span of the landed file) is written on the silver or quarantine row it becomes:
    /// one insert a row. Silver rows go in many a statement.
    public func write(_ chunk: IngestChunk, event: RunEvent?) throws(StoreError) {
        try store.write("write rows of batch \(batch)") { db in
            let fields = entity.fields.map(\.name) + (keepsAttributes ? ["attributes"] : [])
            let many = Self.rowsPerStatement
            // What every row shares (the batch, the source) is one parameter each, ?1 and ?2, bound once for
            // the chunk and named by every row: binding a text for each row costs SQLite a call and a copy.
            // Every other parameter is numbered too, from ?3, so the statement's text is the same for every
            // batch (prepared once, and cached once).
            let silverColumns = fields.count + 6
            let firstRowParameter = 3
            func silverRow(_ row: Int) -> String {
                let first = firstRowParameter + row * silverColumns
                let parameters = (first..<first + silverColumns).map { "?\($0)" }
                return "(\(parameters[0]), ?1, \(parameters[1...3].joined(separator: ", ")), ?2, \(parameters[4]), \(parameters[5]), 1, "
                    + parameters[6...].joined(separator: ", ") + ")"
            }
            let silverSQL = """
                INSERT INTO \(entity.silverTable) (bronze_id, batch_id, line, record_offset, record_length, source, source_key, \
                content_hash, is_current, \(fields.joined(separator: ", "))) VALUES 
                """
            let silverOne = try db.cachedStatement(sql: silverSQL + silverRow(0))
            let silverMany = try db.cachedStatement(sql: silverSQL + (0..<many).map(silverRow).joined(separator: ", "))
            let supersede = try db.cachedStatement(
                sql: "UPDATE \(entity.silverTable) SET is_current = 0, superseded_by = ? WHERE source = ? AND source_key = ? AND is_current = 1")
            let warning = try db.cachedStatement(
                sql: "INSERT INTO row_warning (bronze_id, batch_id, source, rule, field, value, message) VALUES (?, ?, ?, ?, ?, ?, ?)")
            let quarantine = try db.cachedStatement(
                sql: """
                    INSERT INTO quarantine_record (bronze_id, batch_id, run_id, source, entity, source_key, line, record_offset,
                        record_length, content_hash, status, fields, failures, rules, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?)
                    """)
            let firstBronzeID = try Self.takeBronzeIDs(chunk.count, db)
            // Texts shared by every row, bound from Swift strings once per statement execution.
            var sharedBytes: [UInt8] = []
            func share(_ text: String) -> IngestChunk.Text {
                let offset = sharedBytes.count
                sharedBytes.append(contentsOf: text.utf8)
                return IngestChunk.Text(offset: offset, count: sharedBytes.count - offset)
            }
            let sourceName = share(source.rawValue)
            let entityName = share(entity.rawValue)
            let stamp = share(timestamp)
            let batchID = batch.rawValue
            let rows = chunk.rows
            try sharedBytes.withUnsafeBufferPointer { sharedBytes in
                try chunk.bytes.withUnsafeBufferPointer { chunkBytes in
                    let bind = ChunkBinder(db: db, chunk: chunkBytes, shared: sharedBytes)
                    for statement in [silverOne, silverMany] {
                        bind.int(statement.sqliteStatement, 1, batchID)
                        bind.shared(statement.sqliteStatement, 2, sourceName)
                    }
                    func bindSilver(_ s: OpaquePointer, _ first: Int32, _ index: Int) {
                        let row = rows[index]
                        guard case .silver(let values, _, _) = row.destination else { return }
                        bind.int(s, first, firstBronzeID + Int64(index)); bind.int(s, first + 1, row.line)
                        bind.int(s, first + 2, row.record.offset); bind.int(s, first + 3, row.record.length)
                        bind.text(s, first + 4, row.sourceKey); bind.int(s, first + 5, row.contentHash)
                        var parameter = first + 6
                        for value in chunk.values[values] {
                            bind.value(s, parameter, value)
                            parameter += 1
                        }
                    }
                    /// Inserts the silver rows at `indexes`, `many` a statement, then one by one.
                    func insert(_ indexes: some Collection<Int>, _ one: Statement, _ many: Statement, columns: Int32,
                                _ bindRow: (OpaquePointer, Int32, Int) -> Void) throws {
                        var pending = indexes[...]
                        while pending.count >= Self.rowsPerStatement {
                            try bind.run(many) { s in
                                for (offset, index) in pending.prefix(Self.rowsPerStatement).enumerated() {
                                    bindRow(s, Int32(offset) * columns + Int32(firstRowParameter), index)
                                }
                            }
                            pending = pending.dropFirst(Self.rowsPerStatement)
                        }
                        for index in pending {
                            try bind.run(one) { s in bindRow(s, Int32(firstRowParameter), index) }
                        }
                    }

                    // Silver rows wait to be inserted together; a row that supersedes its key's current one
                    // first lets the waiting rows in, since one of them may be that current row.
                    var waiting: [Int] = []
                    waiting.reserveCapacity(rows.count)
                    for (index, row) in rows.enumerated() {
                        let bronzeID = firstBronzeID + Int64(index)
                        switch row.destination {
                        case .silver(_, let supersedes, let warnings):
                            if supersedes {
                                try insert(waiting, silverOne, silverMany, columns: Int32(silverColumns), bindSilver)
                                waiting.removeAll(keepingCapacity: true)
                                try bind.run(supersede) { s in
                                    bind.int(s, 1, batchID); bind.shared(s, 2, sourceName); bind.text(s, 3, row.sourceKey)
                                }
                            }
                            waiting.append(index)
                            for failure in chunk.warnings[warnings] {
                                try bind.run(warning) { s in
                                    bind.int(s, 1, bronzeID); bind.int(s, 2, batchID); bind.shared(s, 3, sourceName)
                                    bind.text(s, 4, failure.rule); bind.text(s, 5, failure.field); bind.text(s, 6, failure.value)
                                    bind.text(s, 7, failure.message)
                                }
                            }
                        case .quarantine(let fieldsJSON, let failuresJSON, let rules):
                            try bind.run(quarantine) { s in
                                bind.int(s, 1, bronzeID); bind.int(s, 2, batchID)
                                if let run { bind.int(s, 3, run.rawValue) } else { sqlite3_bind_null(s, 3) }
                                bind.shared(s, 4, sourceName); bind.shared(s, 5, entityName); bind.text(s, 6, row.sourceKey)
                                bind.int(s, 7, row.line); bind.int(s, 8, row.record.offset); bind.int(s, 9, row.record.length)
                                bind.int(s, 10, row.contentHash); bind.text(s, 11, fieldsJSON); bind.text(s, 12, failuresJSON)
                                bind.text(s, 13, rules); bind.shared(s, 14, stamp); bind.shared(s, 15, stamp)
                            }
                        }
                    }
                    try insert(waiting, silverOne, silverMany, columns: Int32(silverColumns), bindSilver)
                }
            }
            if let event { try LakeStore.insertEvent(event, db) }
        }
    }
}

extension BatchWriter {
    /// Takes `count` bronze ids from the lake's sequence, in the caller's transaction; returns the first.
    static func takeBronzeIDs(_ count: Int, _ db: Database) throws -> Int64 {
        let first = try Int64.fetchOne(db, sql: "SELECT next_id FROM id_sequence WHERE name = 'bronze_row'") ?? 1
        try db.execute(
            sql: "INSERT OR REPLACE INTO id_sequence (name, next_id) VALUES ('bronze_row', ?)", arguments: [first + Int64(count)])
        return first
    }
}

/// Binds parameters straight from a chunk's bytes with `SQLITE_STATIC`: the bytes outlive every step,
/// and each parameter is bound again before the next one.
private struct ChunkBinder {
    let db: Database
    let chunk: UnsafeBufferPointer<UInt8>
    let shared: UnsafeBufferPointer<UInt8>

    @inline(__always)
    func int(_ statement: OpaquePointer, _ index: Int32, _ value: Int64) {
        sqlite3_bind_int64(statement, index, value)
    }

    @inline(__always)
    func text(_ statement: OpaquePointer, _ index: Int32, _ text: IngestChunk.Text) {
        guard text.offset >= 0 else {
            sqlite3_bind_null(statement, index)
            return
        }
        bind(statement, index, chunk, text)
    }

    @inline(__always)
    func shared(_ statement: OpaquePointer, _ index: Int32, _ text: IngestChunk.Text) {
        bind(statement, index, shared, text)
    }

    @inline(__always)
    private func bind(_ statement: OpaquePointer, _ index: Int32, _ buffer: UnsafeBufferPointer<UInt8>, _ text: IngestChunk.Text) {
        if let base = buffer.baseAddress, text.count > 0 {
            sqlite3_bind_text(statement, index, UnsafeRawPointer(base + text.offset).assumingMemoryBound(to: CChar.self), Int32(text.count), nil)
        } else {
            // An empty text: a nil pointer would bind NULL, not ''.
            sqlite3_bind_text(statement, index, "", 0, Binder.transient)
        }
    }

    @inline(__always)
    func value(_ statement: OpaquePointer, _ index: Int32, _ value: IngestChunk.Value) {
        switch value {
        case .null: sqlite3_bind_null(statement, index)
        case .text(let text): self.text(statement, index, text)
        case .integer(let number): sqlite3_bind_int64(statement, index, number)
        case .decimal(let number): sqlite3_bind_double(statement, index, number)
        }
    }

    /// Binds through `body`, executes the statement once and resets it.
    @inline(__always)
    func run(_ statement: Statement, _ body: (OpaquePointer) -> Void) throws {
        let handle = statement.sqliteStatement
        body(handle)
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
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

    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

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
