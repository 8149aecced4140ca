import CDPCore
import CDPRepositories
import PostgresNIO
import Synchronization

/// Writes a batch's rows into the team store with COPY (text format), one transaction per chunk, on sessions of its
/// own (the lake's session stays free for the run's other work meanwhile).
///
/// Chunks go to ``sessionCount`` sessions in turn, so that the server copies one chunk while it commits another
/// (a COPY keeps one server process busy, and the client prepares the next chunk meanwhile). What they leave is what
/// one session writing the chunks in order leaves:
/// - ids: a chunk takes its bronze, silver, quarantine and warning ids (`cdp.take_chunk_ids`) before it is handed
///   to its session, so in chunk order, and its rows carry them;
/// - keys: a chunk marks the current silver rows of the keys it supersedes history only once the chunk before it
///   committed (its rows may be among them), and only rows of earlier chunks (lower bronze ids); a key that comes back
///   later in the same chunk is written already superseded, so no row is updated twice;
/// - visibility: chunks commit in order, each after the one before it; a chunk after one that failed rolls back.
///
/// The sessions commit without waiting for the disk (`synchronous_commit = off`): the batch counts as ingested only
/// once `finishBatch` commits on the lake's session, after the last chunk, and that commit waits until the log holds
/// it and so every chunk's commit before it. A server crash before then loses chunks of a batch still `ingesting`,
/// which the next run discards and writes again.
///
/// Into an empty silver table (a first load) the rows go in without the table's secondary indexes, which
/// ``finish()`` builds once they are all in (see ``PostgresSchema/firstLoadIndexObjects``).
final class PostgresBatchWriter: BatchRowWriter {
    /// How many sessions a batch's chunks go to in turn: one copying while the other commits and the client prepares.
    static let sessionCount = 2

    let sessions: [PostgresSession]
    let batch: BatchID
    let run: RunID?
    let source: SourceName
    let entity: CanonicalEntity
    let timestamp: String
    let keepsAttributes: Bool
    /// Whether the silver table's secondary indexes wait for the end of the load (it was empty when it began).
    private let indexesLeftOut: Mutex<Bool>
    private let handedOut = Mutex(HandedOut())

    /// A chunk's write on its session: copy, wait for the chunk before it, supersede, commit.
    typealias ChunkWrite = Task<Result<Void, PostgresStoreError>, Never>

    /// The chunks handed to the sessions.
    struct HandedOut {
        var count = 0
        /// Each session's last chunk.
        var lastOfSession: [ChunkWrite?] = Array(repeating: nil, count: PostgresBatchWriter.sessionCount)
        /// The last chunk handed out: the next one commits after it.
        var last: ChunkWrite?
    }

    /// The ids a chunk's rows carry: the first of each kind, the others following in row order.
    struct ChunkIDs: Sendable {
        var bronze: Int64
        var silver: Int64
        var quarantine: Int64
        var warning: Int64
    }

    init(
        sessions: [PostgresSession], batch: BatchID, run: RunID?, source: SourceName, entity: CanonicalEntity, timestamp: String,
        keepsAttributes: Bool, indexesLeftOut: Bool
    ) {
        precondition(sessions.count == Self.sessionCount, "a batch writer works on \(Self.sessionCount) sessions")
        self.sessions = sessions
        self.batch = batch
        self.run = run
        self.source = source
        self.entity = entity
        self.timestamp = timestamp
        self.keepsAttributes = keepsAttributes
        self.indexesLeftOut = Mutex(indexesLeftOut)
    }

    /// Sets up a session to write chunks: the store's schema first on its path, and commits that do not wait for
    /// the disk (see the type's comment for why a crash loses nothing ingested).
    static func prepare(_ session: PostgresSession) async throws(PostgresStoreError) {
        try await session.execute("SET search_path = cdp")
        try await session.execute("SET synchronous_commit = off")
    }

    /// Leaves the secondary indexes of `entity`'s silver table out of the load about to start when the table holds
    /// no row (after building any a load cut short left out).
    /// - Returns: whether they were left out, for ``finish()`` to build.
    static func beginLoad(_ session: PostgresSession, entity: CanonicalEntity) async throws(PostgresStoreError) -> Bool {
        try await session.value("SELECT cdp.silver_load_begin($1)::text", [entity.silverTable]) == "true"
    }

    static let quarantineColumns = [
        "id", "bronze_id", "batch_id", "run_id", "source", "entity", "source_key", "line", "record_offset", "record_length", "content_hash",
        "status", "fields", "failures", "rules", "created_at", "updated_at",
    ]
    static let warningColumns = ["id", "bronze_id", "batch_id", "source", "rule", "field", "value", "message"]

    var silverColumns: [String] {
        ["id", "bronze_id", "batch_id", "line", "record_offset", "record_length", "source", "source_key", "content_hash", "is_current", "superseded_by"]
            + entity.fields.map(\.name) + (keepsAttributes ? ["attributes"] : [])
    }

    func write(_ chunk: IngestChunk, event: RunEvent?) throws(StoreError) {
        let (slot, sessionsLast, previous) = handedOut.withLock { ($0.count % Self.sessionCount, $0.lastOfSession[$0.count % Self.sessionCount], $0.last) }
        let session = sessions[slot]
        let table = entity.silverTable
        let silverColumns = self.silverColumns
        let batch = self.batch.rawValue
        let source = self.source.rawValue
        let texts = Shared(batch: batch, run: run?.rawValue, source: source, entity: entity.rawValue, timestamp: timestamp)
        let write: ChunkWrite
        do {
            // The session's chunk before last is done before the session takes this one; a failure of it (or of
            // any chunk before it, which it waited for) is this write's.
            if let sessionsLast { try Self.wait(sessionsLast) }
            var copy: (text: CopyText, ids: ChunkIDs, supersededKeys: [String])?
            if !chunk.isEmpty {
                let plan = Self.supersessions(chunk)
                let counts = Self.rowCounts(chunk)
                let rows = chunk.count
                let ids = try PostgresBlocking.wait { () async throws(PostgresStoreError) -> ChunkIDs in
                    try await Self.takeIDs(session, table: table, rows: rows, counts: counts)
                }
                copy = (Self.copyText(chunk, ids: ids, laterInChunk: plan.laterInChunk, shared: texts), ids, plan.supersededKeys)
            }
            write = ChunkWrite { [copy] in
                do throws(PostgresStoreError) {
                    try await session.transaction { session async throws(PostgresStoreError) in
                        if let copy {
                            if copy.text.silverRows > 0 { try await session.copyText(copy.text.silver, into: table, columns: silverColumns) }
                            if copy.text.quarantineRows > 0 {
                                try await session.copyText(copy.text.quarantine, into: "quarantine_record", columns: Self.quarantineColumns)
                            }
                            if copy.text.warningRows > 0 {
                                try await session.copyText(copy.text.warnings, into: "row_warning", columns: Self.warningColumns)
                            }
                        }
                        // Rows of the chunk before (on the other session) may be the current rows this chunk supersedes.
                        if let previous { try await previous.value.get() }
                        if let copy, !copy.supersededKeys.isEmpty {
                            // Joined with the keys, not `= ANY`: see `currentSilverBatches`. Only rows of earlier chunks:
                            // this chunk's own current rows have bronze ids from its first on.
                            try await session.execute(
                                """
                                UPDATE cdp.\(table) s SET is_current = 0, superseded_by = $1::bigint
                                FROM unnest($3::text[]) AS k(source_key)
                                WHERE s.source = $2 AND s.is_current = 1 AND s.source_key = k.source_key AND s.bronze_id < $4::bigint
                                """, [String(batch), source, PostgresLake.textArray(copy.supersededKeys), String(copy.ids.bronze)])
                        }
                        if let event { try await PostgresLake.insertEvent(session, event) }
                    }
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
        } catch {
            throw PostgresLake.storeError(error, doing: "write rows of batch \(self.batch)")
        }
        handedOut.withLock {
            $0.lastOfSession[slot] = write
            $0.last = write
            $0.count += 1
        }
    }

    /// Waits on this thread for a chunk's write.
    /// - Throws: what failed in it, or in a chunk before it.
    static func wait(_ write: ChunkWrite) throws(PostgresStoreError) {
        try PostgresBlocking.wait { () async throws(PostgresStoreError) in try await write.value.get() }
    }

    /// Takes the ids of a chunk's rows, in one call: its bronze ids, and those of its silver, held and warning rows.
    static func takeIDs(_ session: PostgresSession, table: String, rows: Int, counts: RowCounts) async throws(PostgresStoreError) -> ChunkIDs {
        let taken =
            try await session.rows(
                """
                SELECT bronze::text, coalesce(silver, 0)::text, coalesce(quarantine, 0)::text, coalesce(warning, 0)::text
                FROM cdp.take_chunk_ids($1, $2::bigint, $3::bigint, $4::bigint, $5::bigint)
                """, [table, String(rows), String(counts.silver), String(counts.quarantine), String(counts.warnings)]
            ).first ?? []
        let numbers = taken.compactMap { $0.flatMap { Int64($0) } }
        guard numbers.count == 4 else { throw PostgresStoreError(.database, "the team store handed out no ids for a chunk of \(rows) rows") }
        return ChunkIDs(bronze: numbers[0], silver: numbers[1], quarantine: numbers[2], warning: numbers[3])
    }

    func finish() throws(StoreError) {
        do {
            // Every chunk committed: the last one waited for each before it.
            if let last = handedOut.withLock({ $0.last }) { try Self.wait(last) }
        } catch {
            throw PostgresLake.storeError(error, doing: "write rows of batch \(batch)")
        }
        guard indexesLeftOut.withLock({ $0 }) else { return }
        let session = sessions[0]
        do {
            try PostgresBlocking.wait { () async throws(PostgresStoreError) in try await session.execute("SELECT cdp.silver_load_end()") }
        } catch {
            throw PostgresLake.storeError(error, doing: "build the indexes of \(entity.silverTable) after batch \(batch)")
        }
        indexesLeftOut.withLock { $0 = false }
    }

    func close() throws(StoreError) {
        let sessions = self.sessions
        // Each session's last chunk, not only the last one handed out: a chunk that failed early ends before the
        // one before it, which must not be cut off by its session closing.
        let writes = handedOut.withLock { $0.lastOfSession.compactMap { $0 } }
        // A load that stopped early builds the indexes it left out too (over the rows it wrote, which the next run
        // discards): readers keep them.
        let buildsIndexes = indexesLeftOut.withLock { $0 }
        let failure = (try? PostgresBlocking.wait { () async throws(PostgresStoreError) -> PostgresStoreError? in
            for write in writes { _ = await write.value }
            var failure: PostgresStoreError?
            if buildsIndexes {
                do throws(PostgresStoreError) { try await sessions[0].execute("SELECT cdp.silver_load_end()") } catch { failure = error }
            }
            for session in sessions { await session.close() }
            return failure
        }) ?? nil
        guard let failure else {
            indexesLeftOut.withLock { $0 = false }
            return
        }
        // Kept in the store (`cdp.load_deferred_index`), they are built by the next load's beginning.
        var error = PostgresLake.storeError(failure, doing: "build the indexes of \(entity.silverTable) that batch \(batch) left out")
        error.message += "; readers of \(entity.silverTable) go without them until the next ingest into the team store builds them "
            + "first (the next `cdp run`), or the store's owner runs SELECT cdp.silver_load_end()"
        throw error
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

    /// How many silver, held and warning rows a chunk holds.
    struct RowCounts: Sendable, Equatable {
        var silver = 0
        var quarantine = 0
        var warnings = 0
    }

    static func rowCounts(_ chunk: IngestChunk) -> RowCounts {
        var counts = RowCounts()
        for row in chunk.rows {
            switch row.destination {
            case .silver(_, _, let warnings):
                counts.silver += 1
                counts.warnings += warnings.count
            case .quarantine: counts.quarantine += 1
            }
        }
        return counts
    }

    /// A chunk in COPY's text format, a buffer per table.
    struct CopyText: Sendable {
        var silver = ByteBuffer()
        var quarantine = ByteBuffer()
        var warnings = ByteBuffer()
        var silverRows: Int { counts.silver }
        var quarantineRows: Int { counts.quarantine }
        var warningRows: Int { counts.warnings }
        var counts = RowCounts()
    }

    /// The chunk in COPY's text format, each row with its id (`ids` holds the first of each kind).
    static func copyText(_ chunk: IngestChunk, ids: ChunkIDs, laterInChunk: Set<Int>, shared: Shared) -> CopyText {
        var silver = ByteBuffer()
        var quarantine = ByteBuffer()
        var warnings = ByteBuffer()
        var counts = RowCounts()
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
                let bronze = String(ids.bronze + Int64(index))
                switch row.destination {
                case .silver(let values, _, let rowWarnings):
                    let superseded = laterInChunk.contains(index)
                    silver.writeString(String(ids.silver + Int64(counts.silver))); tab(&silver)
                    counts.silver += 1
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
                        warnings.writeString(String(ids.warning + Int64(counts.warnings))); tab(&warnings)
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
                    quarantine.writeString(String(ids.quarantine + Int64(counts.quarantine))); tab(&quarantine)
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
        return CopyText(silver: silver, quarantine: quarantine, warnings: warnings, counts: counts)
    }

    /// A double as PostgreSQL reads it (Swift's `inf` and `nan` are spelled its way).
    static func decimalText(_ number: Double) -> String {
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number > 0 ? "Infinity" : "-Infinity" }
        return String(number)
    }
}
