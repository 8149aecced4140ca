import CDPCore
import CDPRepositories
import Foundation
import GRDB
import Testing

@testable import CDPStore

/// `v11-decided-items-end-their-holds`: holds taken before "a decision ends the hold" on items decided since are
/// removed once; a hold taken after the decision, and holds on open items, stay.
@Suite struct DecidedHoldsMigrationTests {
    @Test func holdsOnItemsDecidedAfterThemAreRemovedOnce() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-decided-holds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("lake.sqlite").path
        let old = try DatabaseQueue(path: path)
        try LakeSchema.migrator.migrate(old, upTo: "v10-work-claims")
        let (t1, t2, t3) = ("2026-12-01T09:00:00Z", "2026-12-02T09:00:00Z", "2026-12-03T09:00:00Z")
        try old.write { db in
            try db.execute(
                sql: """
                    INSERT INTO batch (id, source, file_name, landed_path, sha256, bytes, landed_at, state) VALUES (1, 'crm', 'c.csv', 'l/c.csv', 'a', 1, ?, 'ingested');
                    INSERT INTO quarantine_record (id, bronze_id, batch_id, source, entity, source_key, line, content_hash, status, fields,
                        failures, rules, created_at, updated_at) VALUES
                        (1, 1, 1, 'crm', 'customer', 'C1', 2, 1, 'released', '{}', '[]', ',x,', ?, ?),
                        (2, 2, 1, 'crm', 'customer', 'C2', 3, 2, 'rejected', '{}', '[]', ',x,', ?, ?),
                        (3, 3, 1, 'crm', 'customer', 'C3', 4, 3, 'open', '{}', '[]', ',x,', ?, ?),
                        (4, 4, 1, 'crm', 'customer', 'C4', 5, 4, 'released', '{}', '[]', ',x,', ?, ?);
                    INSERT INTO match_run (id, started_at, actor) VALUES (1, ?, 'cdp');
                    INSERT INTO match_candidate (id, run_id, record_a, record_b, probability, match_key, explanation, status, decided_by, decided_at)
                        VALUES (1, 1, 'crm:C1', 'web:W1', 0.5, '+X', '[]', 'approved', 'lee', ?),
                               (2, 1, 'crm:C2', 'web:W2', 0.5, '+X', '[]', 'open', NULL, NULL);
                    INSERT INTO work_claim (item_kind, item_id, owner, hold, held_by, since, expires_at) VALUES
                        ('quarantine', 1, 'sam', 'assignment', 'lee', ?, NULL),
                        ('quarantine', 2, 'sam', 'claim', 'sam', ?, '2999-01-01T00:00:00Z'),
                        ('quarantine', 3, 'sam', 'assignment', 'lee', ?, NULL),
                        ('quarantine', 4, 'tom', 'assignment', 'lee', ?, NULL),
                        ('candidate', 1, 'sam', 'assignment', 'lee', ?, NULL),
                        ('candidate', 2, 'sam', 'assignment', 'lee', ?, NULL);
                    """,
                arguments: [t1, t1, t2, t1, t2, t1, t1, t1, t1, t1, t2, t1, t1, t1, t3, t1, t1])
        }
        try old.close()
        let store = try LakeStore(path: path)
        let left = try store.read("holds") { db in
            try Row.fetchAll(db, sql: "SELECT item_kind, item_id, owner FROM work_claim ORDER BY item_kind, item_id").map {
                "\($0["item_kind"] as String) \($0["item_id"] as Int64) \($0["owner"] as String)"
            }
        }
        // Q1 released and Q2 rejected after sam's holds: gone; Q3 is open; tom took Q4 after its release; P2 is open.
        #expect(left == ["candidate 2 sam", "quarantine 3 sam", "quarantine 4 tom"])
        #expect(try store.workClaims(.quarantine, at: t3).map(\.owner) == ["sam", "tom"])
    }
}
