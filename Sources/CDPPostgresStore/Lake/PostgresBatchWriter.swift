import CDPCore
import CDPRepositories
import PostgresNIO
import Synchronization

/// Writes a batch's rows into the team store with COPY (text format), one transaction per chunk, on a session of
/// its own (the lake's session stays free for the run's other work meanwhile).
///
/// Per chunk: bronze ids for every row (`cdp.take_bronze_ids`), the current silver rows of keys the chunk
/// supersedes marked history in one UPDATE, then one COPY each into silver, quarantine and the row warnings. A key
/// that comes back later in the same chunk is written already superseded, so no row is updated twice.
///
/// Into an empty silver table (a first load) the rows go in without the table's secondary indexes, which
/// ``finish()`` builds once they are all in (see ``PostgresSchema/firstLoadIndexObjects``).
final class PostgresBatchWriter: BatchRowWriter {
    let session: PostgresSession
    let batch: BatchID
    let run: RunID?
    let source: SourceName
    let entity: CanonicalEntity
    let timestamp: String
    let keepsAttributes: Bool
    /// Whether the silver table's secondary indexes wait for the end of the load (it was empty when it began).
    private let indexesLeftOut: Mutex<Bool>

    init(
        session: PostgresSession, batch: BatchID, run: RunID?, source: SourceName, entity: CanonicalEntity, timestamp: String,
        keepsAttributes: Bool, indexesLeftOut: Bool
    ) {
        self.session = session
        self.batch = batch
        self.run = run
        self.source = source
        self.entity = entity
        self.timestamp = timestamp
        self.keepsAttributes = keepsAttributes
        self.indexesLeftOut = Mutex(indexesLeftOut)
    }

    /// Leaves the secondary indexes of `entity`'s silver table out of the load about to start when the table holds
    /// no row (after building any a load cut short left out).
    /// - Returns: whether they were left out, for ``finish()`` to build.
    static func beginLoad(_ session: PostgresSession, entity: CanonicalEntity) async throws(PostgresStoreError) -> Bool {
        try await session.value("SELECT cdp.silver_load_begin($1)::text", [entity.silverTable]) == "true"
    }

    static let quarantineColumns = [
        "bronze_id", "batch_id", "run_id", "source", "entity", "source_key", "line", "record_offset", "record_length", "content_hash",
        "status", "fields", "failures", "rules", "created_at", "updated_at",
    ]
    static let warningColumns = ["bronze_id", "batch_id", "source", "rule", "field", "value", "message"]

    var silverColumns: [String] {
        ["bronze_id", "batch_id", "line", "record_offset", "record_length", "source", "source_key", "content_hash", "is_current", "superseded_by"]
            + entity.fields.map(\.name) + (keepsAttributes ? ["attributes"] : [])
    }

    func write(_ chunk: IngestChunk, event: RunEvent?) throws(StoreError) {
        let plan = Self.supersessions(chunk)
        let table = entity.silverTable
        let silverColumns = self.silverColumns
        let batch = self.batch
        let source = self.source.rawValue
        let texts = Shared(batch: batch.rawValue, run: run?.rawValue, source: source, entity: entity.rawValue, timestamp: timestamp)
        do {
            try PostgresBlocking.wait { [session] () async throws(PostgresStoreError) in
                try await session.transaction { session async throws(PostgresStoreError) in
                    if !chunk.isEmpty {
                        guard let first = Int64(try await session.value("SELECT cdp.take_bronze_ids($1::bigint)::text", [String(chunk.count)]) ?? "")
                        else { throw PostgresStoreError(.database, "the team store handed out no bronze ids") }
                        if !plan.supersededKeys.isEmpty {
                            // Joined with the keys, not `= ANY`: see `currentSilverBatches`.
                            try await session.execute(
                                """
                                UPDATE cdp.\(table) s SET is_current = 0, superseded_by = $1::bigint
                                FROM unnest($3::text[]) AS k(source_key)
                                WHERE s.source = $2 AND s.is_current = 1 AND s.source_key = k.source_key
                                """, [String(batch.rawValue), source, PostgresLake.textArray(plan.supersededKeys)])
                        }
                        let copy = Self.copyText(chunk, firstBronzeID: first, laterInChunk: plan.laterInChunk, shared: texts)
                        if copy.silverRows > 0 { try await session.copyText(copy.silver, into: table, columns: silverColumns) }
                        if copy.quarantineRows > 0 {
                            try await session.copyText(copy.quarantine, into: "quarantine_record", columns: Self.quarantineColumns)
                        }
                        if copy.warningRows > 0 { try await session.copyText(copy.warnings, into: "row_warning", columns: Self.warningColumns) }
                    }
                    if let event { try await PostgresLake.insertEvent(session, event) }
                }
            }
        } catch {
            throw PostgresLake.storeError(error, doing: "write rows of batch \(batch)")
        }
    }

    func finish() throws(StoreError) {
        guard indexesLeftOut.withLock({ $0 }) else { return }
        let session = self.session
        do {
            try PostgresBlocking.wait { () async throws(PostgresStoreError) in try await session.execute("SELECT cdp.silver_load_end()") }
        } catch {
            throw PostgresLake.storeError(error, doing: "build the indexes of \(entity.silverTable) after batch \(batch)")
        }
        indexesLeftOut.withLock { $0 = false }
    }

    func close() {
        let session = self.session
        // A load that stopped early builds the indexes it left out too (over the rows it wrote, which the next run
        // discards): readers keep them. When that fails as well, the next load builds them first.
        let buildsIndexes = indexesLeftOut.withLock { $0 }
        _ = try? PostgresBlocking.wait { () async throws(PostgresStoreError) in
            if buildsIndexes { try? await session.execute("SELECT cdp.silver_load_end()") }
            await session.close()
        }
    }

    /// What every row of a chunk shares.
    struct Shared: Sendable {
        var batch: Int64
        var run: Int64?
        var source: String
        var entity: String
        var timestamp: String
    }

    /// Which keys' current silver rows the chunk supersedes (those whose first silver row in the chunk supersedes:
    /// the current row is in the store), and which silver rows a later row of the same key in the chunk supersedes.
    static func supersessions(_ chunk: IngestChunk) -> (supersededKeys: [String], laterInChunk: Set<Int>) {
        var lastIndex: [String: Int] = [:]
        var keys: [String] = []
        var later = Set<Int>()
        chunk.bytes.withUnsafeBufferPointer { bytes in
            for (index, row) in chunk.rows.enumerated() {
                guard case .silver(_, let supersedes, _) = row.destination else { continue }
                let key = String(decoding: UnsafeBufferPointer(rebasing: bytes[row.sourceKey.offset..<row.sourceKey.offset + row.sourceKey.count]), as: UTF8.self)
                if let previous = lastIndex[key] {
                    later.insert(previous)
                } else if supersedes {
                    keys.append(key)
                }
                lastIndex[key] = index
            }
        }
        return (keys, later)
    }

    /// The chunk in COPY's text format, a buffer per table.
    static func copyText(_ chunk: IngestChunk, firstBronzeID: Int64, laterInChunk: Set<Int>, shared: Shared) -> (
        silver: ByteBuffer, silverRows: Int, quarantine: ByteBuffer, quarantineRows: Int, warnings: ByteBuffer, warningRows: Int
    ) {
        var silver = ByteBuffer()
        var quarantine = ByteBuffer()
        var warnings = ByteBuffer()
        var counts = (silver: 0, quarantine: 0, warnings: 0)
        let batch = String(shared.batch)
        let run = shared.run.map { String($0) }
        chunk.bytes.withUnsafeBufferPointer { bytes in
            func text(_ value: IngestChunk.Text, _ buffer: inout ByteBuffer) {
                guard value.offset >= 0 else {
                    buffer.writeStaticString("\\N")
                    return
                }
                PostgresSession.writeCopyText(bytes: UnsafeBufferPointer(rebasing: bytes[value.offset..<value.offset + value.count]), to: &buffer)
            }
            func plain(_ value: String, _ buffer: inout ByteBuffer) {
                var value = value
                value.withUTF8 { PostgresSession.writeCopyText(bytes: $0, to: &buffer) }
            }
            func tab(_ buffer: inout ByteBuffer) { buffer.writeStaticString("\t") }
            for (index, row) in chunk.rows.enumerated() {
                let bronze = String(firstBronzeID + Int64(index))
                switch row.destination {
                case .silver(let values, _, let rowWarnings):
                    counts.silver += 1
                    let superseded = laterInChunk.contains(index)
                    silver.writeString(bronze); tab(&silver)
                    silver.writeString(batch); tab(&silver)
                    silver.writeString(String(row.line)); tab(&silver)
                    silver.writeString(String(row.record.offset)); tab(&silver)
                    silver.writeString(String(row.record.length)); tab(&silver)
                    plain(shared.source, &silver); tab(&silver)
                    text(row.sourceKey, &silver); tab(&silver)
                    silver.writeString(String(row.contentHash)); tab(&silver)
                    silver.writeStaticString(superseded ? "0\t" : "1\t")
                    if superseded { silver.writeString(batch) } else { silver.writeStaticString("\\N") }
                    for value in chunk.values[values] {
                        tab(&silver)
                        switch value {
                        case .null: silver.writeStaticString("\\N")
                        case .text(let value): text(value, &silver)
                        case .integer(let number): silver.writeString(String(number))
                        case .decimal(let number): silver.writeString(decimalText(number))
                        }
                    }
                    silver.writeStaticString("\n")
                    for warning in chunk.warnings[rowWarnings] {
                        counts.warnings += 1
                        warnings.writeString(bronze); tab(&warnings)
                        warnings.writeString(batch); tab(&warnings)
                        plain(shared.source, &warnings); tab(&warnings)
                        text(warning.rule, &warnings); tab(&warnings)
                        text(warning.field, &warnings); tab(&warnings)
                        text(warning.value, &warnings); tab(&warnings)
                        text(warning.message, &warnings)
                        warnings.writeStaticString("\n")
                    }
                case .quarantine(let fields, let failures, let rules):
                    counts.quarantine += 1
                    quarantine.writeString(bronze); tab(&quarantine)
                    quarantine.writeString(batch); tab(&quarantine)
                    if let run { quarantine.writeString(run) } else { quarantine.writeStaticString("\\N") }
                    tab(&quarantine)
                    plain(shared.source, &quarantine); tab(&quarantine)
                    plain(shared.entity, &quarantine); tab(&quarantine)
                    text(row.sourceKey, &quarantine); tab(&quarantine)
                    quarantine.writeString(String(row.line)); tab(&quarantine)
                    quarantine.writeString(String(row.record.offset)); tab(&quarantine)
                    quarantine.writeString(String(row.record.length)); tab(&quarantine)
                    quarantine.writeString(String(row.contentHash)); tab(&quarantine)
                    quarantine.writeStaticString("open\t")
                    text(fields, &quarantine); tab(&quarantine)
                    text(failures, &quarantine); tab(&quarantine)
                    text(rules, &quarantine); tab(&quarantine)
                    plain(shared.timestamp, &quarantine); tab(&quarantine)
                    plain(shared.timestamp, &quarantine)
                    quarantine.writeStaticString("\n")
                }
            }
        }
        return (silver, counts.silver, quarantine, counts.quarantine, warnings, counts.warnings)
    }

    /// A double as PostgreSQL reads it (Swift's `inf` and `nan` are spelled its way).
    static func decimalText(_ number: Double) -> String {
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number > 0 ? "Infinity" : "-Infinity" }
        return String(number)
    }
}
