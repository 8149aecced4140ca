import CDPCore
import CDPRepositories
import Foundation
import GRDB

extension LakeStore: MatchingRepository {}

/// Match runs, the steward queue of candidate pairs, pair decisions, golden records and their
/// cross-reference with history.
extension LakeStore {
    /// Every current silver customer in row order (deterministic for a given lake, and a sequential scan:
    /// ordering by key makes SQLite visit a million rows at random), read column by column as bytes.
    public func currentCustomerColumns(attributes: [String] = []) throws(StoreError) -> MatchColumns {
        // Attribute names are checked when configured (letters, digits and _), so they are safe in a JSON path.
        precondition(attributes.allSatisfy(SourceConfiguration.isAttributeName), "attribute names are checked by the configuration")
        return try read("read customers for matching") { db in
            let expected = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM silver_customer WHERE is_current = 1") ?? 0
            var columns = MatchColumns()
            var texts = [TextColumn](repeating: TextColumn(), count: 11 + attributes.count)
            for index in texts.indices { texts[index].reserveCapacity(records: expected, bytes: 0) }
            columns.keys.reserveCapacity(records: expected, bytes: 0)
            columns.sourceIndex.reserveCapacity(expected)
            let statement = try RawStatement(
                db,
                sql: """
                    SELECT source, source_key, first_name, last_name, email, phone, birth_date, street, city, postcode,
                           country, crm_customer_id, COALESCE(updated_at, created_at)\(
                        attributes.map { ", json_extract(attributes, '$.\($0)')" }.joined())
                    FROM silver_customer WHERE is_current = 1 ORDER BY id
                    """)
            try statement.forEachRow(db) { row in
                var source = row.text(0)
                // GRDB reads text as a C string: a NUL ends it.
                if let nul = source.firstIndex(of: 0) { source = UnsafeBufferPointer(rebasing: source[..<nul]) }
                columns.sourceIndex.append(columns.sourceIndex(of: source))
                columns.keys.append(row.text(1))
                // NULL reads as empty text, which is a missing value too.
                for index in texts.indices { texts[index].append(row.text(Int32(index + 2))) }
            }
            columns.firstName = texts[0]
            columns.lastName = texts[1]
            columns.email = texts[2]
            columns.phone = texts[3]
            columns.birthDate = texts[4]
            columns.street = texts[5]
            columns.city = texts[6]
            columns.postcode = texts[7]
            columns.country = texts[8]
            columns.crmCustomerID = texts[9]
            columns.updatedAt = texts[10]
            columns.attributeNames = attributes
            columns.attributes = Array(texts[11...])
            return columns
        }
    }

    /// Per record of `index`, its current golden id (0 when it has none).
    public func currentGoldenIDs(_ index: SourceRecordIndex, count: Int) throws(StoreError) -> [Int64] {
        try read("read golden cross-references") { db in
            var result = [Int64](repeating: 0, count: count)
            let statement = try RawStatement(db, sql: "SELECT source, source_key, golden_id FROM golden_xref WHERE valid_to_run IS NULL ORDER BY id")
            try statement.forEachRow(db) { row in
                if let record = index.record(source: row.text(0), key: row.text(1)) { result[Int(record)] = row.int64(2) }
            }
            return result
        }
    }

    /// The current source record → golden id links.
    public func forEachGoldenLink(_ body: (SourceRecordID, GoldenID) -> Void) throws(StoreError) {
        try read("read golden cross-references") { db in
            let cursor = try Row.fetchCursor(
                db, sql: "SELECT source, source_key, golden_id FROM golden_xref WHERE valid_to_run IS NULL ORDER BY id")
            while let row = try cursor.next() {
                body(SourceRecordID(source: SourceName(row[0] as String), key: row[1]), GoldenID(row[2] as Int64))
            }
        }
    }

    /// Per record, in order, where it stands: in silver, in quarantine (and how), or neither.
    public func customerWhereabouts(of records: [SourceRecordID]) throws(StoreError) -> [CustomerWhereabouts] {
        guard !records.isEmpty else { return [] }
        return try read("read where customer records stand") { db in
            let silver = try db.cachedStatement(sql: "SELECT 1 FROM silver_customer WHERE source = ? AND source_key = ? AND is_current = 1 LIMIT 1")
            let quarantine = try db.cachedStatement(
                sql: "SELECT status, rules FROM quarantine_record WHERE source = ? AND source_key = ? AND entity = 'customer' ORDER BY id DESC LIMIT 1")
            return try records.map { record in
                let arguments: StatementArguments = [record.source.rawValue, record.key]
                let inSilver = try Int.fetchOne(silver, arguments: arguments) != nil
                let row = try Row.fetchOne(quarantine, arguments: arguments)
                let status: String? = row?[0]
                let rules: String = row?[1] ?? ""
                return CustomerWhereabouts(
                    inSilver: inSilver, quarantine: status.flatMap(QuarantineStatus.init(rawValue:)),
                    quarantineRules: rules.split(separator: ",").map(String.init))
            }
        }
    }

    public func pairDecisions() throws(StoreError) -> [PairDecision] {
        try read("read pair decisions") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM pair_decision ORDER BY record_a, record_b").compactMap { row in
                guard let a = SourceRecordID(parsing: row["record_a"]), let b = SourceRecordID(parsing: row["record_b"]),
                    let decision = PairDecisionKind(rawValue: row["decision"])
                else { return nil }
                return PairDecision(a: a, b: b, decision: decision, reason: row["reason"], decidedBy: row["decided_by"], decidedAt: row["decided_at"])
            }
        }
    }

    /// The first golden id never used.
    public func nextGoldenID() throws(StoreError) -> GoldenID {
        try read("read golden ids") { db in GoldenID((try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM golden_record") ?? 0) + 1) }
    }

    public func startMatchRun(actor: String, at: String) throws(StoreError) -> MatchRunID {
        try write("start a match run") { db in
            try db.execute(sql: "INSERT INTO match_run (started_at, actor) VALUES (?, ?)", arguments: [at, actor])
            return MatchRunID(db.lastInsertedRowID)
        }
    }

    /// Writes a run's result in one transaction: the open queue is replaced (decided candidates stay, a pair
    /// still proposed keeps its id), golden records are created, updated or retired, and every source record
    /// whose golden id changed gets a new cross-reference row (the old one is closed at this run). Only what
    /// changed is written: stored golden records are compared with the new ones byte for byte.
    public func writeMatchResult(
        run: MatchRunID, candidates: [CandidateDraft], golden: GoldenWrite, statisticsJSON: String, modelJSON: String, at: String
    ) throws(StoreError) -> MatchWriteSummary {
        try writeMatchResult(
            run: run, candidates: CandidateBatches(candidates), golden: golden, statisticsJSON: statisticsJSON, modelJSON: modelJSON, at: at)
    }

    /// The same, with the queue made batch by batch as it is written.
    public func writeMatchResult(
        run: MatchRunID, candidates: CandidateBatches, golden: GoldenWrite, statisticsJSON: String, modelJSON: String, at: String
    ) throws(StoreError) -> MatchWriteSummary {
        try write("write the match result") { db in
            var summary = MatchWriteSummary()
            let upsert = try RawStatement(
                db,
                sql: """
                    INSERT INTO match_candidate (run_id, record_a, record_b, probability, match_key, explanation)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (record_a, record_b) DO UPDATE SET run_id = excluded.run_id, probability = excluded.probability,
                        match_key = excluded.match_key, explanation = excluded.explanation
                    WHERE status = 'open'
                    """)
            for range in candidates.ranges {
                for candidate in candidates.drafts(range) {
                    upsert.bind(1, run.rawValue)
                    upsert.bind(2, candidate.a.description)
                    upsert.bind(3, candidate.b.description)
                    upsert.bind(4, candidate.probability)
                    upsert.bind(5, candidate.key)
                    upsert.bind(6, candidate.explanation)
                    try upsert.execute(db)
                }
            }
            summary.candidates = candidates.count
            try db.execute(sql: "DELETE FROM match_candidate WHERE status = 'open' AND run_id <> ?", arguments: [run.rawValue])
            try Self.writeGolden(golden, run: run, db, &summary)
            try db.execute(
                sql: "UPDATE match_run SET finished_at = ?, statistics = ?, model = ? WHERE id = ?",
                arguments: [at, statisticsJSON, modelJSON, run.rawValue])
            return summary
        }
    }

    /// Golden records and cross-references: compares the stored rows with the new ones and writes the differences.
    static func writeGolden(_ golden: GoldenWrite, run: MatchRunID, _ db: Database, _ summary: inout MatchWriteSummary) throws {
        let set = golden.set
        let ids = golden.ids
        let clusters = set.count
        func memberCount(_ cluster: Int) -> Int64 { Int64(set.memberStart[cluster + 1] - set.memberStart[cluster]) }
        // Clusters in golden id order, to walk them beside the stored rows (read in id order).
        let byID = (0..<clusters).sorted { ids[$0] < ids[$1] }
        // Per cluster: 0 unchanged, 1 new, 2 changed (or retired before).
        var changes = [UInt8](repeating: 1, count: clusters)
        var retire: [Int64] = []
        var buffer: [UInt8] = []
        try golden.writer.withCursor { cursor in
            let stored = try RawStatement(db, sql: "SELECT id, attributes, member_count, retired_run IS NULL FROM golden_record ORDER BY id")
            var next = 0
            try stored.forEachRow(db) { row in
                let id = row.int64(0)
                let active = row.int64(3) != 0
                while next < byID.count && ids[byID[next]] < id { next += 1 }
                guard next < byID.count, ids[byID[next]] == id else {
                    if active { retire.append(id) }
                    return
                }
                let cluster = byID[next]
                next += 1
                guard active, row.int64(2) == memberCount(cluster) else {
                    changes[cluster] = 2
                    return
                }
                cursor.write(cluster: cluster, overrides: golden.overrides[GoldenID(id)], into: &buffer)
                let text = row.text(1)
                let same = buffer.withUnsafeBufferPointer { new in
                    new.count == text.count && (text.isEmpty || memcmp(new.baseAddress!, text.baseAddress!, text.count) == 0)
                }
                changes[cluster] = same ? 0 : 2
            }

            // Where each record was linked before this run.
            var previous = [Int64](repeating: 0, count: golden.records.count)
            var gone: [(source: String, key: String)] = []
            let links = try RawStatement(db, sql: "SELECT source, source_key, golden_id FROM golden_xref WHERE valid_to_run IS NULL")
            try links.forEachRow(db) { row in
                if let record = golden.index.record(source: row.text(0), key: row.text(1)) {
                    previous[Int(record)] = row.int64(2)
                } else {
                    gone.append((String(decoding: row.text(0), as: UTF8.self), String(decoding: row.text(1), as: UTF8.self)))
                }
            }

            let insertGolden = try RawStatement(
                db, sql: "INSERT INTO golden_record (id, attributes, member_count, created_run, updated_run) VALUES (?, ?, ?, ?, ?)")
            let updateGolden = try RawStatement(
                db, sql: "UPDATE golden_record SET attributes = ?, member_count = ?, updated_run = ?, retired_run = NULL WHERE id = ?")
            let closeLink = try RawStatement(
                db, sql: "UPDATE golden_xref SET valid_to_run = ? WHERE source = ? AND source_key = ? AND valid_to_run IS NULL")
            let openLink = try RawStatement(
                db, sql: "INSERT INTO golden_xref (source, source_key, golden_id, valid_from_run) VALUES (?, ?, ?, ?)")
            let records = golden.records
            let sourceNames = records.sources.map(\.rawValue)
            for cluster in 0..<clusters {
                let id = ids[cluster]
                if changes[cluster] != 0 {
                    cursor.write(cluster: cluster, overrides: golden.overrides[GoldenID(id)], into: &buffer)
                    try buffer.withUnsafeBufferPointer { text in
                        if changes[cluster] == 1 {
                            insertGolden.bind(1, id)
                            insertGolden.bind(2, text)
                            insertGolden.bind(3, memberCount(cluster))
                            insertGolden.bind(4, run.rawValue)
                            insertGolden.bind(5, run.rawValue)
                            try insertGolden.execute(db)
                            summary.goldenCreated += 1
                        } else {
                            updateGolden.bind(1, text)
                            updateGolden.bind(2, memberCount(cluster))
                            updateGolden.bind(3, run.rawValue)
                            updateGolden.bind(4, id)
                            try updateGolden.execute(db)
                            summary.goldenUpdated += 1
                        }
                    }
                }
                for member in set.members(of: cluster) {
                    let old = previous[Int(member)]
                    guard old != id else { continue }
                    let source = sourceNames[Int(records.sourceIndex[Int(member)])]
                    let key = records.keys[Int(member)]
                    if old != 0 {
                        closeLink.bind(1, run.rawValue)
                        closeLink.bind(2, source)
                        closeLink.bind(3, key)
                        try closeLink.execute(db)
                    }
                    openLink.bind(1, source)
                    openLink.bind(2, key)
                    openLink.bind(3, id)
                    openLink.bind(4, run.rawValue)
                    try openLink.execute(db)
                    summary.linksChanged += 1
                }
            }
            // Records no longer matched (gone from silver) lose their link.
            for (source, key) in gone {
                closeLink.bind(1, run.rawValue)
                closeLink.bind(2, source)
                closeLink.bind(3, key)
                try closeLink.execute(db)
                summary.linksChanged += 1
            }
        }
        for id in retire {
            try db.execute(sql: "UPDATE golden_record SET retired_run = ? WHERE id = ?", arguments: [run.rawValue, id])
            summary.goldenRetired += 1
        }
    }

    /// Candidates with `status` (all when nil), most uncertain first (probability nearest `centre`), then by id.
    /// - Parameter centre: the most uncertain probability; the engine passes the middle of its two thresholds.
    public func candidates(status: CandidateStatus?, limit: Int, around centre: Double = 0.5) throws(StoreError) -> [CandidateRow] {
        try read("list candidates") { db in
            let filter = status.map { "WHERE status = '\($0.rawValue)'" } ?? ""
            return try Row.fetchAll(
                db, sql: "SELECT * FROM match_candidate \(filter) ORDER BY ABS(probability - ?), id LIMIT ?", arguments: [centre, limit]
            ).compactMap(Self.candidateRow)
        }
    }

    public func candidate(_ id: CandidateID) throws(StoreError) -> CandidateRow? {
        try read("read a candidate") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM match_candidate WHERE id = ?", arguments: [id.rawValue]).flatMap(Self.candidateRow)
        }
    }

    public func candidateCounts() throws(StoreError) -> [CandidateStatus: Int] {
        try read("count candidates") { db in
            var counts: [CandidateStatus: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) FROM match_candidate GROUP BY status") {
                if let status = CandidateStatus(rawValue: row[0]) { counts[status] = row[1] }
            }
            return counts
        }
    }

    static func candidateRow(_ row: Row) -> CandidateRow? {
        guard let a = SourceRecordID(parsing: row["record_a"]), let b = SourceRecordID(parsing: row["record_b"]),
            let status = CandidateStatus(rawValue: row["status"])
        else { return nil }
        return CandidateRow(
            id: CandidateID(row["id"] as Int64), run: MatchRunID(row["run_id"] as Int64), a: a, b: b, probability: row["probability"],
            key: row["match_key"], explanation: row["explanation"], status: status, decidedBy: row["decided_by"], decidedAt: row["decided_at"])
    }

    /// Runs `body` in one write transaction (a steward action and its audit row commit together). An error
    /// `body` throws rolls back and comes out unchanged; database errors come out as `StoreError`.
    public func transaction<T>(_ operation: String, _ body: (any MatchTransaction) throws -> T) throws -> T {
        do {
            return try writer.write { db in try body(SQLiteMatchTransaction(db: db)) }
        } catch let error as DatabaseError {
            throw StoreError.wrapping(error, operation)
        }
    }

    public func goldenRecord(_ id: GoldenID) throws(StoreError) -> (record: GoldenRow, links: [GoldenLink], overrides: [GoldenOverride])? {
        try read("read a golden record") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM golden_record WHERE id = ?", arguments: [id.rawValue]) else { return nil }
            let record = GoldenRow(
                id: id, attributesJSON: row["attributes"], memberCount: row["member_count"], createdRun: MatchRunID(row["created_run"] as Int64),
                updatedRun: MatchRunID(row["updated_run"] as Int64), retiredRun: (row["retired_run"] as Int64?).map(MatchRunID.init))
            let links = try Row.fetchAll(
                db, sql: "SELECT * FROM golden_xref WHERE golden_id = ? ORDER BY valid_to_run IS NOT NULL, source, source_key, id",
                arguments: [id.rawValue]
            ).map { row in
                GoldenLink(
                    record: SourceRecordID(source: SourceName(row["source"] as String), key: row["source_key"]), golden: id,
                    validFrom: MatchRunID(row["valid_from_run"] as Int64), validTo: (row["valid_to_run"] as Int64?).map(MatchRunID.init))
            }
            let overrides = try Row.fetchAll(db, sql: "SELECT * FROM golden_override WHERE golden_id = ? ORDER BY attribute", arguments: [id.rawValue])
                .map { GoldenOverride(attribute: $0["attribute"], value: $0["value"], setBy: $0["set_by"], setAt: $0["set_at"]) }
            return (record, links, overrides)
        }
    }

    /// The current golden id of a source record.
    public func goldenID(of record: SourceRecordID) throws(StoreError) -> GoldenID? {
        try read("read a golden link") { db in
            try Int64.fetchOne(
                db, sql: "SELECT golden_id FROM golden_xref WHERE source = ? AND source_key = ? AND valid_to_run IS NULL",
                arguments: [record.source.rawValue, record.key]
            ).map(GoldenID.init)
        }
    }

    /// Every override, by golden id (survivorship applies them on each run).
    public func goldenOverrides() throws(StoreError) -> [GoldenID: [String: String]] {
        try read("read golden overrides") { db in
            var result: [GoldenID: [String: String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT golden_id, attribute, value FROM golden_override") {
                result[GoldenID(row[0] as Int64), default: [:]][row[1]] = row[2]
            }
            return result
        }
    }

    /// The current silver values of some source records (for candidate detail and golden rebuilds).
    public func customers(_ ids: [SourceRecordID]) throws(StoreError) -> [MatchInput] {
        try read("read customers") { db in
            try ids.compactMap { id in
                try Row.fetchOne(
                    db,
                    sql: """
                        SELECT source, source_key, first_name, last_name, email, phone, birth_date, street, city, postcode,
                               country, crm_customer_id, COALESCE(updated_at, created_at)
                        FROM silver_customer WHERE is_current = 1 AND source = ? AND source_key = ?
                        """, arguments: [id.source.rawValue, id.key]
                ).map { row in
                    MatchInput(
                        source: SourceName(row[0] as String), sourceKey: row[1], firstName: row[2], lastName: row[3], email: row[4],
                        phone: row[5], birthDate: row[6], street: row[7], city: row[8], postcode: row[9], country: row[10],
                        crmCustomerID: row[11], updatedAt: row[12])
                }
            }
        }
    }
}

/// Writes a steward action makes, inside one transaction with its audit row.
public struct SQLiteMatchTransaction: MatchTransaction {
    let db: Database

    /// Sets a candidate's status; a decision (approved, rejected) ends the hold on the pair, audited, in the same
    /// transaction, so the pair leaves its holder's list and an undo reopens it unheld.
    public func setCandidateStatus(_ id: CandidateID, _ status: CandidateStatus, by actor: String?, at: String?) throws {
        try db.execute(
            sql: "UPDATE match_candidate SET status = ?, decided_by = ?, decided_at = ? WHERE id = ?",
            arguments: [status.rawValue, actor, at, id.rawValue])
        if status != .open, let actor, let at,
            let ended = try LakeStore.endHold(
                on: .candidate(id), by: actor, because: "\(id) was \(status.rawValue): a decision ends the work on it", at: at, db)
        {
            try LakeStore.appendAudit(ended, at: at, db)
        }
    }

    public func recordDecision(_ a: SourceRecordID, _ b: SourceRecordID, _ decision: PairDecisionKind, reason: String?, by actor: String, at: String) throws {
        let (first, second) = a < b ? (a, b) : (b, a)
        try db.execute(
            sql: """
                INSERT INTO pair_decision (record_a, record_b, decision, reason, decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (record_a, record_b) DO UPDATE SET decision = excluded.decision, reason = excluded.reason,
                    decided_by = excluded.decided_by, decided_at = excluded.decided_at
                """,
            arguments: [first.description, second.description, decision.rawValue, reason, actor, at])
    }

    public func removeDecision(_ a: SourceRecordID, _ b: SourceRecordID) throws {
        let (first, second) = a < b ? (a, b) : (b, a)
        try db.execute(sql: "DELETE FROM pair_decision WHERE record_a = ? AND record_b = ?", arguments: [first.description, second.description])
    }

    /// Moves `record` to `golden` now (closing its current link at `run`).
    public func relink(_ record: SourceRecordID, to golden: GoldenID, run: MatchRunID) throws {
        try db.execute(
            sql: "UPDATE golden_xref SET valid_to_run = ? WHERE source = ? AND source_key = ? AND valid_to_run IS NULL",
            arguments: [run.rawValue, record.source.rawValue, record.key])
        try db.execute(
            sql: "INSERT INTO golden_xref (source, source_key, golden_id, valid_from_run) VALUES (?, ?, ?, ?)",
            arguments: [record.source.rawValue, record.key, golden.rawValue, run.rawValue])
    }

    /// Writes (creating if needed) a golden record's attributes; a record with no members is retired.
    public func saveGolden(_ id: GoldenID, attributesJSON: String, memberCount: Int, run: MatchRunID) throws {
        try db.execute(
            sql: """
                INSERT INTO golden_record (id, attributes, member_count, created_run, updated_run, retired_run) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET attributes = excluded.attributes, member_count = excluded.member_count,
                    updated_run = excluded.updated_run, retired_run = excluded.retired_run
                """,
            arguments: [id.rawValue, attributesJSON, memberCount, run.rawValue, run.rawValue, memberCount == 0 ? run.rawValue : nil])
    }

    public func nextGoldenID() throws -> GoldenID {
        GoldenID((try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM golden_record") ?? 0) + 1)
    }

    public func latestRun() throws -> MatchRunID? {
        try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM match_run").map(MatchRunID.init)
    }

    public func members(of golden: GoldenID) throws -> [SourceRecordID] {
        try Row.fetchAll(
            db, sql: "SELECT source, source_key FROM golden_xref WHERE golden_id = ? AND valid_to_run IS NULL ORDER BY source, source_key",
            arguments: [golden.rawValue]
        ).map { SourceRecordID(source: SourceName($0[0] as String), key: $0[1]) }
    }

    public func setOverride(_ golden: GoldenID, attribute: String, value: String, by actor: String, at: String) throws {
        try db.execute(
            sql: """
                INSERT INTO golden_override (golden_id, attribute, value, set_by, set_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (golden_id, attribute) DO UPDATE SET value = excluded.value, set_by = excluded.set_by, set_at = excluded.set_at
                """,
            arguments: [golden.rawValue, attribute, value, actor, at])
    }

    public func audit(_ draft: LakeStore.AuditDraft, at: String) throws {
        try LakeStore.appendAudit(draft, at: at, db)
    }
}

extension SQLiteMatchTransaction {
    public func goldenID(of record: SourceRecordID) throws -> GoldenID? {
        try Int64.fetchOne(
            db, sql: "SELECT golden_id FROM golden_xref WHERE source = ? AND source_key = ? AND valid_to_run IS NULL",
            arguments: [record.source.rawValue, record.key]
        ).map(GoldenID.init)
    }

    public func retireGolden(_ id: GoldenID, run: MatchRunID) throws {
        try db.execute(sql: "UPDATE golden_record SET member_count = 0, retired_run = ?, updated_run = ? WHERE id = ?", arguments: [run.rawValue, run.rawValue, id.rawValue])
    }

    public func overrides(of golden: GoldenID) throws -> [String: String] {
        var result: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT attribute, value FROM golden_override WHERE golden_id = ?", arguments: [golden.rawValue]) {
            result[row[0]] = row[1]
        }
        return result
    }

    /// Current silver values of some source records.
    public func customers(_ ids: [SourceRecordID]) throws -> [MatchInput] {
        try ids.compactMap { id in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT source, source_key, first_name, last_name, email, phone, birth_date, street, city, postcode,
                           country, crm_customer_id, COALESCE(updated_at, created_at)
                    FROM silver_customer WHERE is_current = 1 AND source = ? AND source_key = ?
                    """, arguments: [id.source.rawValue, id.key]
            ).map { row in
                MatchInput(
                    source: SourceName(row[0] as String), sourceKey: row[1], firstName: row[2], lastName: row[3], email: row[4],
                    phone: row[5], birthDate: row[6], street: row[7], city: row[8], postcode: row[9], country: row[10],
                    crmCustomerID: row[11], updatedAt: row[12])
            }
        }
    }

    public func candidate(_ id: CandidateID) throws -> LakeStore.CandidateRow? {
        try Row.fetchOne(db, sql: "SELECT * FROM match_candidate WHERE id = ?", arguments: [id.rawValue]).flatMap(LakeStore.candidateRow)
    }
}
