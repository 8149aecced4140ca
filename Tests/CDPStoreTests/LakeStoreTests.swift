import CDPCore
import Foundation
import GRDB
import Testing

@testable import CDPStore

enum StoreKind: String, CaseIterable, CustomTestStringConvertible {
    case inMemory, onDisk
    var testDescription: String { rawValue }

    func make() throws -> LakeStore {
        switch self {
        case .inMemory: return try LakeStore()
        case .onDisk:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-store-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return try LakeStore(path: folder.appendingPathComponent("lake.sqlite").path)
        }
    }
}

let at = "2026-01-01T00:00:00Z"

func values(email: String) -> [FieldValue?] {
    CanonicalEntity.customer.fields.map { $0.name == "email" ? .text(email) : nil }
}

/// Writes one batch of customer rows: keys to silver, and `held` keys to quarantine.
@discardableResult
func writeBatch(_ store: LakeStore, sha: String, silver: [(String, Bool)], held: [String] = []) throws -> BatchID {
    let batch = try store.createBatch(source: "crm", fileName: "c.csv", landedPath: "l/c.csv", sha256: sha, bytes: 1, landedAt: at, run: nil)
    try store.setBatchState(batch, .ingesting, run: nil)
    let writer = BatchWriter(store: store, batch: batch, run: nil, source: "crm", entity: .customer, timestamp: at)
    var rows: [IngestRow] = []
    for (line, (key, supersedes)) in silver.enumerated() {
        rows.append(IngestRow(line: line + 2, sourceKey: key, contentHash: Int64(line + sha.count), record: RecordSpan(offset: Int64(line) * 10, length: 9),
                              destination: .silver(values: values(email: "\(key)@x.io"), supersedes: supersedes, warnings: [])))
    }
    for (offset, key) in held.enumerated() {
        rows.append(IngestRow(line: 100 + offset, sourceKey: key, contentHash: 9, record: RecordSpan(offset: 1_000 + Int64(offset) * 10, length: 9), destination: .quarantine(
            fields: ["email": "bad"], failures: [RuleFailure(rule: "email_format", field: "email", value: "bad", message: "bad", severity: .error)])))
    }
    try writer.write(rows, event: nil)
    var counts = LakeStore.BatchCounts()
    counts.read = rows.count
    counts.silver = silver.count
    counts.quarantined = held.count
    try store.finishBatch(batch, source: "crm", run: nil, counts: counts, tallies: [])
    return batch
}

struct LakeStoreTests {
    @Test(arguments: StoreKind.allCases)
    func migrationsAreNamedAndApplied(kind: StoreKind) throws {
        let store = try kind.make()
        #expect(try store.appliedMigrations() == ["v1-runs", "v1-bronze", "v1-silver", "v1-quarantine", "v2-console-indexes", "v2-matching", "v3-gold", "v4-dictionary", "v5-bronze-in-landed-files", "v6-audit-anchors", "v6-access-policy", "v7-audit-anchor-state", "v8-run-parameters", "v9-customer-attributes", "v10-work-claims", "v11-decided-items-end-their-holds", "v12-gold-changes", "v13-deleted-silver-rows-lower-the-gold-mark", "v14-runs-are-recorded-with-their-start", "v15-match-state"])
    }

    /// A lake made before bronze was kept as landed-file spans keeps every row and its text through the
    /// upgrade: rows move to the new tables with their lineage, the old raw text stays readable as
    /// bronze_row.raw, new bronze ids continue the old ones, and the lake verifies.
    @Test func aLakeFromBeforeSpansUpgradesWithEveryRowAndItsText() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-upgrade-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("lake.sqlite").path
        let old = try DatabaseQueue(path: path)
        try LakeSchema.migrator.migrate(old, upTo: "v4-dictionary")
        try old.write { db in
            try db.execute(
                sql: """
                    INSERT INTO batch (id, source, file_name, landed_path, sha256, bytes, landed_at, state, rows_read, rows_silver, rows_quarantined)
                        VALUES (1, 'crm', 'c.csv', 'l/c.csv', 'a', 1, ?, 'ingested', 2, 1, 1);
                    INSERT INTO bronze_row (id, batch_id, source, line, source_key, content_hash, raw) VALUES
                        (1, 1, 'crm', 2, 'C1', 11, 'C1,Ann'), (2, 1, 'crm', 3, 'C2', 12, 'C2,bad');
                    INSERT INTO silver_customer (bronze_id, batch_id, source, source_key, content_hash, is_current, first_name)
                        VALUES (1, 1, 'crm', 'C1', 11, 1, 'Ann');
                    INSERT INTO quarantine_record (bronze_id, batch_id, source, entity, source_key, line, status, fields, failures,
                        rules, created_at, updated_at) VALUES (2, 1, 'crm', 'customer', 'C2', 3, 'open', '{}', '[]', ',x,', ?, ?);
                    """, arguments: [at, at, at])
        }
        try old.close()
        let store = try LakeStore(path: path)
        #expect(try store.query("SELECT id, line, source_key, content_hash, landed_in, raw FROM bronze_row ORDER BY id").rows == [
            ["1", "2", "C1", "11", "silver_customer", "C1,Ann"], ["2", "3", "C2", "12", "quarantine_record", "C2,bad"],
        ])
        #expect(try store.latestContentHashes(source: "crm", entity: .customer) == ["C1": 11, "C2": 12])
        let record = try #require(try store.quarantineRecords(.init()).first)
        #expect(try store.landedRecord(of: record.id)?.storedText == "C2,bad")
        #expect(try store.invariantViolations().filter { !$0.contains("open records list no failure") } == [])
        try writeBatch(store, sha: "b", silver: [("C3", false)])
        #expect(try store.query("SELECT bronze_id FROM silver_customer WHERE source_key = 'C3'").rows == [["3"]])
    }

    /// During a bulk write the log is copied into the database file by the checkpointing thread, not left
    /// in the log for the writer to copy: after many small commits the database file holds the rows.
    @Test func aBulkWriteIsCheckpointedByItsOwnThread() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-checkpoint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("lake.sqlite").path
        let store = try LakeStore(path: path)
        func size() throws -> Int { try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0 }
        let before = try size()
        try store.withBackgroundCheckpoints(everyPages: 4) {
            for batch in 0..<20 {
                try writeBatch(store, sha: "s\(batch)", silver: (0..<200).map { ("K\(batch)-\($0)-" + String(repeating: "x", count: 200), false) })
            }
        }
        // 4,000 rows of some 300 bytes: over a megabyte, which a log checkpointed only at 64 MiB would still hold.
        #expect(try size() - before > 1_000_000)
        #expect(try store.query("SELECT COUNT(*) FROM silver_customer").rows == [["4000"]])
        #expect(try store.invariantViolations() == [])
    }

    /// The writer binds every value from the chunk's bytes: NULL and '' stay apart, numbers keep their type,
    /// warnings and held rows land with their texts.
    @Test(arguments: StoreKind.allCases)
    func aChunkIsWrittenValueForValue(kind: StoreKind) throws {
        let store = try kind.make()
        // A quote in the source's name: the writer puts the name into its statement as a literal.
        let source: SourceName = "crm's"
        let batch = try store.createBatch(source: source, fileName: "c.csv", landedPath: "l/c.csv", sha256: "c", bytes: 1, landedAt: at, run: nil)
        var values = [FieldValue?](repeating: nil, count: CanonicalEntity.customer.fields.count)
        let fields = CanonicalEntity.customer.fields.map(\.name)
        values[fields.firstIndex(of: "email")!] = .text("zoë@x.io")
        values[fields.firstIndex(of: "first_name")!] = .text("")
        values[fields.firstIndex(of: "email_opt_in")!] = .boolean(true)
        var chunk = IngestChunk()
        chunk.appendSilver(
            line: 2, sourceKey: "C1", contentHash: -7, record: RecordSpan(offset: 40, length: 13), values: values, supersedes: false,
            warnings: [RuleFailure(rule: "tier", field: "loyalty_tier", value: nil, message: "odd tier", severity: .warn)])
        chunk.appendQuarantine(
            line: 3, sourceKey: "", contentHash: 5, record: RecordSpan(offset: 54, length: 0), sortedFields: [("email", "bad"), ("last_name", "O'Neil")],
            failures: [RuleFailure(rule: "email_format", field: "email", value: "bad", message: "not \"an\" email", severity: .error)])
        try BatchWriter(store: store, batch: batch, run: nil, source: source, entity: .customer, timestamp: at).write(chunk, event: nil)
        let silver = try store.query(
            "SELECT source_key, content_hash, email, first_name IS NULL, first_name, last_name IS NULL, typeof(email_opt_in), email_opt_in FROM silver_customer").rows
        #expect(silver == [["C1", "-7", "zoë@x.io", "0", "", "1", "integer", "1"]])
        let lineage = try store.query("SELECT source, batch_id = \(batch.rawValue), is_current, line FROM silver_customer").rows
        #expect(lineage == [["crm's", "1", "1", "2"]])
        let bronze = try store.query(
            "SELECT line, source_key, content_hash, record_offset, record_length, landed_in FROM bronze_row ORDER BY line").rows
        #expect(bronze == [["2", "C1", "-7", "40", "13", "silver_customer"], ["3", "", "5", "54", "0", "quarantine_record"]])
        let warning = try store.query("SELECT rule, field, value IS NULL, message FROM row_warning").rows
        #expect(warning == [["tier", "loyalty_tier", "1", "odd tier"]])
        let held = try store.query("SELECT source_key, line, fields, failures, rules, status FROM quarantine_record").rows
        #expect(held == [[
            "", "3", #"{"email":"bad","last_name":"O'Neil"}"#,
            #"[{"field":"email","message":"not \"an\" email","rule":"email_format","severity":"error","value":"bad"}]"#,
            ",email_format,", "open",
        ]])
    }

    /// The batch and the source are bound once a chunk and named by every row of a statement: two batches
    /// of two sources, each more rows than one statement takes, keep their own.
    @Test(arguments: StoreKind.allCases)
    func eachRowKeepsItsBatchAndSource(kind: StoreKind) throws {
        let store = try kind.make()
        var expected: [[String]] = []
        let rowsEach = BatchWriter.rowsPerStatement + 5
        for (source, sha) in [("crm", "a"), ("web", "b")] as [(SourceName, String)] {
            let batch = try store.createBatch(
                source: source, fileName: "\(sha).csv", landedPath: "l/\(sha).csv", sha256: sha, bytes: 1, landedAt: at, run: nil)
            var chunk = IngestChunk()
            for line in 0..<rowsEach {
                chunk.appendSilver(
                    line: line + 2, sourceKey: "\(source)-\(line)", contentHash: 1, record: RecordSpan(offset: Int64(line), length: 1),
                    values: values(email: "a@x.io"), supersedes: false, warnings: [])
            }
            try BatchWriter(store: store, batch: batch, run: nil, source: source, entity: .customer, timestamp: at).write(chunk, event: nil)
            expected.append([source.rawValue, "\(batch.rawValue)", "\(rowsEach)", "\(rowsEach)"])
        }
        let rows = try store.query(
            "SELECT source, batch_id, COUNT(*), SUM(source_key LIKE source || '-%') FROM silver_customer GROUP BY source, batch_id ORDER BY source").rows
        #expect(rows == expected)
    }

    /// Rows go in many a statement: a row that supersedes another written earlier in the same chunk must
    /// still find it, and every silver and held row must name its own bronze row.
    @Test(arguments: StoreKind.allCases)
    func manyRowsAStatementKeepOrderAndLineage(kind: StoreKind) throws {
        let store = try kind.make()
        try writeBatch(store, sha: "a", silver: (1...40).map { ("K\($0)", false) })
        var second: [(String, Bool)] = (41...100).map { ("K\($0)", false) }
        second.insert(("K5", true), at: 10)
        second.insert(("K45", true), at: 50)  // K45 was written 40 rows earlier in this chunk
        second.insert(("K45", true), at: 60)
        try writeBatch(store, sha: "bb", silver: second, held: ["K7", "K8"])
        #expect(try store.invariantViolations() == [])
        let currentPerKey = try store.query(
            "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM silver_customer WHERE is_current = 1 GROUP BY source_key)").rows
        #expect(currentPerKey == [["1"]])
        #expect(try store.query("SELECT COUNT(*) FROM silver_customer WHERE is_current = 1").rows == [["100"]])
        #expect(try store.query("SELECT COUNT(*) FROM silver_customer WHERE source_key = 'K45'").rows == [["3"]])
        let mismatched = try store.query(
            """
            SELECT COUNT(*) FROM silver_customer s JOIN bronze_row b ON b.id = s.bronze_id
            WHERE b.source_key <> s.source_key OR b.content_hash <> s.content_hash
            """).rows
        #expect(mismatched == [["0"]])
        let heldLineage = try store.query(
            "SELECT b.source_key, b.line FROM quarantine_record q JOIN bronze_row b ON b.id = q.bronze_id ORDER BY b.line").rows
        #expect(heldLineage == [["K7", "100"], ["K8", "101"]])
    }

    @Test(arguments: StoreKind.allCases)
    func aWrittenBatchConservesEveryRow(kind: StoreKind) throws {
        let store = try kind.make()
        try writeBatch(store, sha: "a", silver: [("C1", false), ("C2", false)], held: ["C3"])
        #expect(try store.invariantViolations() == [])
        let status = try store.sourceStatuses([("crm", .customer)]).first
        #expect(status?.bronze == 3)
        #expect(status?.silverCurrent == 2)
        #expect(status?.quarantineOpen == 1)
    }

    @Test(arguments: StoreKind.allCases)
    func aChangedRecordKeepsItsHistoryAndDiscardingTheBatchRestoresIt(kind: StoreKind) throws {
        let store = try kind.make()
        try writeBatch(store, sha: "a", silver: [("C1", false)])
        let second = try writeBatch(store, sha: "bb", silver: [("C1", true)])
        let status = try store.sourceStatuses([("crm", .customer)]).first
        #expect(status?.silverCurrent == 1)
        #expect(status?.silverHistory == 1)
        #expect(try store.currentSilverBatch(source: "crm", entity: .customer, key: "C1") == second)
        try store.discardRows(of: second)
        #expect(try store.currentSilverBatch(source: "crm", entity: .customer, key: "C1") == BatchID(1))
        #expect(try store.batch(second)?.state == .landed)
        #expect(try store.invariantViolations() == [])
    }

    @Test(arguments: StoreKind.allCases)
    func verificationNamesALostRow(kind: StoreKind) throws {
        let store = try kind.make()
        try writeBatch(store, sha: "a", silver: [("C1", false), ("C2", false)])
        try store.writer.write { db in try db.execute(sql: "DELETE FROM silver_customer WHERE source_key = 'C2'") }
        let problems = try store.invariantViolations()
        // Bronze is the landed file: the lost row is found by its batch, which still holds it.
        #expect(problems.contains { $0.contains("conservation: batch B1 (c.csv): 2 rows read but 1 in silver or quarantine + 0 unchanged (1 lost)") })
    }

    @Test(arguments: StoreKind.allCases)
    func verificationNamesARowInTwoPlaces(kind: StoreKind) throws {
        let store = try kind.make()
        try writeBatch(store, sha: "a", silver: [("C1", false), ("C2", false)], held: ["C3"])
        try store.writer.write { db in
            try db.execute(sql: "UPDATE quarantine_record SET bronze_id = (SELECT bronze_id FROM silver_customer WHERE source_key = 'C2')")
        }
        let problems = try store.invariantViolations()
        #expect(problems.contains { $0.contains("bronze row BR2 (crm line 3) is in quarantine_record and silver_customer, 2 times") })
    }

    @Test(arguments: StoreKind.allCases)
    func releasingMovesARecordToSilverWithItsAuditRowOnlyFromTheExpectedState(kind: StoreKind) throws {
        let store = try kind.make()
        try writeBatch(store, sha: "a", silver: [], held: ["C9"])
        let record = try #require(try store.quarantineRecords(.init()).first)
        let change = LakeStore.QuarantineChange(
            fields: ["email": "c9@x.io"], sourceKey: "C9", failures: [], status: .released, historyAction: "release",
            historyDetail: "moved", audit: .init(actor: "ann", action: "quarantine.release", target: record.id.description),
            silverValues: values(email: "c9@x.io"))
        try store.applyQuarantineChange(record.id, expecting: .open, change, at: at)
        #expect(try store.quarantineRecord(record.id)?.status == .released)
        #expect(try store.invariantViolations() == [])
        #expect(try store.auditEntries().first?.actor == "ann")
        #expect(try store.quarantineHistory(record.id).first?.detail.contains("was failing: email_format") == true)
        #expect(throws: StoreError.self) { try store.applyQuarantineChange(record.id, expecting: .open, change, at: at) }
    }

    @Test(arguments: StoreKind.allCases)
    func theAuditChainCatchesAnEditedAndADeletedRow(kind: StoreKind) throws {
        let store = try kind.make()
        for index in 1...4 { try store.appendAudit(.init(actor: "ann", action: "test", target: "T\(index)"), at: at) }
        #expect(try store.auditChainProblems() == [])
        #expect(throws: StoreError.self) { try store.write("tamper") { db in try db.execute(sql: "UPDATE audit_log SET actor = 'eve'") } }
        try store.writer.write { db in
            try db.execute(sql: "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete")
            try db.execute(sql: "UPDATE audit_log SET actor = 'eve' WHERE id = 2")
            try db.execute(sql: "DELETE FROM audit_log WHERE id = 4")
            try db.execute(sql: "INSERT INTO audit_log SELECT 5, at, actor, action, target, before, after, reason, previous_hash, hash FROM audit_log WHERE id = 3")
        }
        let problems = try store.auditChainProblems()
        #expect(problems.contains { $0.contains("audit row A2 (test T2) was edited") })
        #expect(problems.contains { $0.contains("A4…A4 are missing") })
    }

    @Test(arguments: StoreKind.allCases)
    func runsRecordTasksAndAnOrderedEventStream(kind: StoreKind) throws {
        let store = try kind.make()
        let run = try store.startRun(
            workflow: "w", tasks: [.init(key: "a", step: "ingest", dependsOn: []), .init(key: "b", step: "scorecard", dependsOn: ["a"])],
            actor: "ann", trigger: "cli", pid: 1, at: at)
        var task = TaskRunRecord(key: "a", position: 0, step: "ingest", dependsOn: [], state: .running, processed: 5, total: 10)
        try store.updateTask(run, task, event: RunEvent(run: run, task: "a", at: at, kind: .progress, processed: 5, total: 10, message: "half"))
        task.state = .succeeded
        task.counts = ["rows_read": 10]
        try store.updateTask(run, task, event: nil)
        let events = try store.events(of: run)
        #expect(events.map(\.kind) == [.runStarted, .progress])
        #expect(try store.events(of: run, after: events[0].id).map(\.message) == ["half"])
        let summary = try #require(try store.run(run))
        #expect(summary.tasks.map(\.state) == [.succeeded, .pending])
        #expect(summary.tasks[0].counts == ["rows_read": 10])
        #expect(summary.tasks[1].dependsOn == ["a"])
        #expect(try store.abandonStaleRuns(at: at) == [run])
        #expect(try store.run(run)?.state == .abandoned)
    }

    @Test func queryIsReadOnly() throws {
        let store = try LakeStore()
        #expect(try store.query("SELECT 1 + 1 AS two").rows == [["2"]])
        #expect { try store.query("DELETE FROM batch") } throws: { ($0 as? StoreError)?.message.contains("read-only") == true }
    }
}
