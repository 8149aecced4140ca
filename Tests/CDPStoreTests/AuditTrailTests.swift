import CDPCore
import Foundation
import GRDB
import Testing

@testable import CDPStore

/// The audit trail against someone who can write the lake's tables: each tampering is named by
/// `auditChainProblems()`, through the anchors kept outside the table and the triggers' definitions.
@Suite struct AuditTrailTests {
    /// An on-disk lake with `rows` audit rows (row 2 with a NULL `before`), so `audit.anchor` is kept beside it.
    static func lake(rows: Int = 5) throws -> (store: LakeStore, folder: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let store = try LakeStore(path: folder.appendingPathComponent("lake.sqlite").path)
        for index in 1...rows {
            try store.appendAudit(
                .init(actor: "ann", action: "test", target: "T\(index)", before: index == 2 ? nil : "b\(index)", after: "a\(index)"), at: at
            )
        }
        return (store, folder)
    }

    /// Runs SQL as an attacker with `sqlite3` would: a connection of its own, triggers out of the way and put
    /// back exactly as they were, so only the change itself is left to find.
    static func tamper(_ folder: URL, _ sql: String) throws {
        let attacker = try DatabaseQueue(path: folder.appendingPathComponent("lake.sqlite").path)
        try attacker.write { db in
            try db.execute(sql: "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete")
            try db.execute(sql: sql)
            try db.execute(
                sql: """
                    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                    """)
        }
        try attacker.close()
    }

    @Test func anUntamperedLakeVerifiesCleanAndAnchorsEveryAppend() throws {
        let (store, folder) = try Self.lake()
        #expect(try store.auditChainProblems() == [])
        let anchors = try AuditAnchor.read(from: folder.appendingPathComponent("audit.anchor").path)
        #expect(anchors.anchors.map(\.rows) == [1, 2, 3, 4, 5])
        #expect(anchors.anchors.last?.head == (try store.auditEntries().first?.hash))
    }

    @Test func aDeletedLastRowIsCaught() throws {
        let (store, folder) = try Self.lake()
        try Self.tamper(folder, "DELETE FROM audit_log WHERE id = 5")
        #expect(
            try store.auditChainProblems() == [
                "the audit log ends at row A4 but audit.anchor recorded 5 rows at \(at): rows A5…A5 were deleted"
            ])
    }

    @Test func aDeletedTailOfRowsIsCaught() throws {
        let (store, folder) = try Self.lake(rows: 8)
        try Self.tamper(folder, "DELETE FROM audit_log WHERE id > 5")
        let problems = try store.auditChainProblems()
        #expect(problems.contains("the audit log ends at row A5 but audit.anchor recorded 8 rows at \(at): rows A6…A8 were deleted"))
    }

    /// Rows edited and every hash after them recomputed, so the chain itself holds: only the anchors see it.
    @Test func aHistoryRewrittenWithCorrectHashesIsCaught() throws {
        let (store, folder) = try Self.lake()
        var rewritten: [String] = []
        var previous = LakeStore.genesisHash
        for id in Int64(1)...5 {
            let actor = id == 3 ? "eve" : "ann"
            let before: String? = id == 2 ? nil : "b\(id)"
            let hash = LakeStore.sha256Hex(
                AuditEntry.canonicalText(
                    id: id, at: at, actor: actor, action: "test", target: "T\(id)", before: before, after: "a\(id)", reason: nil,
                    previousHash: previous))
            rewritten.append(
                "UPDATE audit_log SET actor = '\(actor)', previous_hash = '\(previous)', hash = '\(hash)' WHERE id = \(id);")
            previous = hash
        }
        try Self.tamper(folder, rewritten.joined(separator: "\n"))
        let problems = try store.auditChainProblems()
        #expect(!problems.contains { $0.contains("was edited") || $0.contains("does not link") })
        #expect(problems.contains { $0.hasPrefix("audit row A3 is not the row audit.anchor recorded at \(at)") })
        #expect(problems.contains { $0.hasPrefix("audit row A5 is not the row audit.anchor recorded") })
        #expect(!problems.contains { $0.hasPrefix("audit row A2 is not") })
    }

    @Test func aNullEditedToTheEmptySetSignIsCaught() throws {
        let (store, folder) = try Self.lake()
        try Self.tamper(folder, "UPDATE audit_log SET before = '∅' WHERE id = 2")
        #expect(try store.auditChainProblems() == ["audit row A2 (test T2) was edited: its hash does not match its content"])
    }

    @Test(arguments: [
        ("DROP TRIGGER audit_log_no_delete", "trigger audit_log_no_delete is missing (dropped)"),
        ("DROP TRIGGER audit_log_no_update", "trigger audit_log_no_update is missing (dropped)"),
        ("DROP TRIGGER audit_hashing_no_update", "trigger audit_hashing_no_update is missing (dropped)"),
        ("DROP TRIGGER access_policy_version_no_delete", "trigger access_policy_version_no_delete is missing (dropped)"),
        (
            "DROP TRIGGER audit_log_no_delete; CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT 1; END",
            "trigger audit_log_no_delete was changed"
        ),
    ])
    func droppedOrChangedTriggersAreCaught(sql: String, problem: String) throws {
        let (store, folder) = try Self.lake()
        let attacker = try DatabaseQueue(path: folder.appendingPathComponent("lake.sqlite").path)
        try attacker.write { db in try db.execute(sql: sql) }
        try attacker.close()
        let problems = try store.auditChainProblems()
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix(problem) == true, "\(problems)")
    }

    /// F7 of attack 10: a run's row written behind `cdp run`'s back (here with sqlite3) showed in status bars and the
    /// audit check did not name it. A run is recorded with its `run.start` row in one transaction, so the check names
    /// every run without one, running or not.
    @Test func aRunIsRecordedWithItsStartAndOneWithoutItIsNamed() throws {
        let (store, folder) = try Self.lake()
        let run = try store.startRun(workflow: "w", tasks: [], actor: "ann", trigger: "cli", pid: nil, at: at, cause: "2 files arrived")
        let start = try store.auditEntries(LakeStore.AuditFilter(action: "run.start"))
        #expect(start.map { [$0.actor, $0.target, $0.after, $0.reason] } == [["ann", run.description, "w", "2 files arrived"]])
        #expect(try store.auditChainProblems() == [])
        let attacker = try DatabaseQueue(path: folder.appendingPathComponent("lake.sqlite").path)
        try attacker.write { db in
            try db.execute(
                sql: """
                    INSERT INTO workflow_run (workflow, state, actor, trigger, started_at) VALUES ('w', 'running', 'eve', 'cli', ?);
                    INSERT INTO workflow_run (workflow, state, actor, trigger, started_at, finished_at) VALUES ('w', 'failed', 'eve', 'cli', ?, ?)
                    """, arguments: [at, at, at])
        }
        try attacker.close()
        #expect(
            try store.auditChainProblems() == [
                AuditEntry.runWithoutItsStart(RunID(2), actor: "eve", state: "running"),
                AuditEntry.runWithoutItsStart(RunID(3), actor: "eve", state: "failed"),
            ])
    }

    /// A run recorded before the rule that a run and its `run.start` are written together (an older release appended
    /// `run.start` on its own, and that append could fail) is not named; the rule holds from the first run recorded after
    /// `v14-runs-are-recorded-with-their-start`, and its boundary cannot be moved.
    @Test func aRunRecordedBeforeTheRuleIsNotNamedAfterAnUpgrade() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-run-start-rule-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("lake.sqlite").path
        // The lake as the release before the rule left it: a run whose run.start append failed.
        let old = try DatabaseQueue(path: path)
        try LakeSchema.migrator.migrate(old, upTo: "v13-deleted-silver-rows-lower-the-gold-mark")
        try old.write { db in
            try db.execute(
                sql: "INSERT INTO workflow_run (workflow, state, actor, trigger, started_at, finished_at) VALUES ('w', 'failed', 'ann', 'cli', ?, ?)",
                arguments: [at, at])
        }
        try old.close()
        let store = try LakeStore(path: path)
        #expect(try store.auditChainProblems() == [])
        // After the upgrade the rule holds: a run of cdp's has its start, one written beside cdp is named.
        _ = try store.startRun(workflow: "w", tasks: [], actor: "ann", trigger: "cli", pid: nil, at: at)
        let attacker = try DatabaseQueue(path: path)
        try attacker.write { db in
            try db.execute(
                sql: "INSERT INTO workflow_run (workflow, state, actor, trigger, started_at) VALUES ('w', 'running', 'eve', 'cli', ?)", arguments: [at])
            // The boundary stays where the migration put it.
            #expect(throws: DatabaseError.self) { try db.execute(sql: "UPDATE run_start_rule SET first_run = 100") }
            #expect(throws: DatabaseError.self) { try db.execute(sql: "DELETE FROM run_start_rule") }
        }
        try attacker.close()
        #expect(try store.auditChainProblems() == [AuditEntry.runWithoutItsStart(RunID(3), actor: "eve", state: "running")])
    }

    /// Each finished run records the head too, so a deleted tail shows even when the anchor file went with it.
    @Test func aRunRecordAnchorsTheHeadWhenTheAnchorFileIsGone() throws {
        let (store, folder) = try Self.lake(rows: 3)
        let run = try store.startRun(workflow: "w", tasks: [], actor: "ann", trigger: "cli", pid: nil, at: at)  // appends run.start, A4
        try store.finishRun(run, state: .succeeded, error: nil, at: at)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("audit.anchor"))
        try Self.tamper(folder, "DELETE FROM audit_log WHERE id >= 3")
        let problems = try store.auditChainProblems()
        #expect(problems.contains("the audit log ends at row A2 but run R1 recorded 4 rows at \(at): rows A3…A4 were deleted"))
        #expect(problems.contains { $0.hasPrefix("lake/audit.anchor is missing but the audit log has 2 rows") })
    }

    /// The rows written since the last run deleted and the anchor file removed or emptied with them: the lake
    /// recorded how far the file reached, and a lake with audit rows must have one.
    @Test(arguments: ["missing", "empty"])
    func aRemovedOrEmptiedAnchorFileIsCaught(_ how: String) throws {
        let (store, folder) = try Self.lake()
        try Self.tamper(folder, "DELETE FROM audit_log WHERE id > 3")
        let file = folder.appendingPathComponent("audit.anchor")
        if how == "missing" { try FileManager.default.removeItem(at: file) } else { try Data().write(to: file) }
        let problems = try store.auditChainProblems()
        #expect(
            problems == [
                "lake/audit.anchor is \(how) but the audit log has 3 rows and the lake recorded anchoring 5: it was removed or emptied, "
                    + "so rows deleted since the last run would go unseen",
                "the audit log ends at row A3 but the lake recorded anchoring row A5: rows A4…A5 were deleted",
            ], "\(problems)")
        // Reopening does not anchor the shortened log afresh as if nothing had happened.
        _ = try LakeStore(path: folder.appendingPathComponent("lake.sqlite").path)
        #expect(
            try store.auditChainProblems().contains(
                "the audit log ends at row A3 but the lake recorded anchoring row A5: rows A4…A5 were deleted"))
    }

    /// The deleted rows' anchor lines cut from the end of the file: the lake still says how far it reached.
    @Test func aShortenedAnchorFileIsCaught() throws {
        let (store, folder) = try Self.lake()
        try Self.tamper(folder, "DELETE FROM audit_log WHERE id > 3")
        let file = folder.appendingPathComponent("audit.anchor")
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
        try (lines.prefix(3).joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        #expect(
            try store.auditChainProblems() == [
                "lake/audit.anchor reaches row A3 but the lake recorded anchoring row A5: its last lines were cut (or a process died between a commit and its anchor)",
                "the audit log ends at row A3 but the lake recorded anchoring row A5: rows A4…A5 were deleted",
            ])
    }

    /// Each line carries the hash of the one before, so a line cut from the middle or edited shows.
    @Test(arguments: ["cut", "edited"])
    func aCutOrEditedMiddleLineIsCaught(_ how: String) throws {
        let (store, folder) = try Self.lake()
        let file = folder.appendingPathComponent("audit.anchor")
        var lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map(String.init)
        if how == "cut" {
            lines.remove(at: 1)
        } else {
            lines[1] = lines[1].replacingOccurrences(of: at, with: "2025-01-01T00:00:00Z")
        }
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let line = how == "cut" ? 2 : 3
        #expect(
            try store.auditChainProblems() == [
                "audit.anchor line \(line) does not link to the line before it: a line before it was cut or edited"
            ])
    }

    /// Deleting every recorded version of the access file (its triggers dropped and put back verbatim) would make
    /// the workspace pass for one that never had the file; the audit rows that recorded them say otherwise.
    @Test func deletedAccessFileVersionsAreCaught() throws {
        let (store, folder) = try Self.lake(rows: 1)
        for (index, text) in ["a = 1", "a = 2"].enumerated() {
            try store.recordAccessPolicy(
                sha256: String(repeating: "\(index)", count: 64), text: text, event: index == 0 ? "recorded" : "changed", by: "ann", at: at,
                audit: .init(actor: "ann", action: index == 0 ? "access.recorded" : "access.changed", target: "governance/access.toml"))
        }
        #expect(try store.auditChainProblems() == [])
        let attacker = try DatabaseQueue(path: folder.appendingPathComponent("lake.sqlite").path)
        try attacker.write { db in
            try db.execute(
                sql: """
                    DROP TRIGGER access_policy_version_no_delete;
                    DELETE FROM access_policy_version;
                    CREATE TRIGGER access_policy_version_no_delete BEFORE DELETE ON access_policy_version
                        BEGIN SELECT RAISE(ABORT, 'access_policy_version is append-only'); END;
                    """)
        }
        try attacker.close()
        #expect(
            try store.auditChainProblems() == [
                "the audit log records 2 versions of governance/access.toml but access_policy_version holds 0: recorded versions were "
                    + "deleted (a workspace that had an access file must not pass for one that never had)"
            ])
    }

    @Test func anEditedAnchorFileIsCaught() throws {
        let (store, folder) = try Self.lake(rows: 2)
        let file = folder.appendingPathComponent("audit.anchor")
        try (String(contentsOf: file, encoding: .utf8) + "two rows, trust me\n").write(to: file, atomically: true, encoding: .utf8)
        #expect(try store.auditChainProblems() == ["audit.anchor line 3 is not an anchor (rows, head hash, time): the file was edited"])
    }

    /// A lake whose rows were hashed the old way (NULL as '∅') keeps verifying after the upgrade; rows written
    /// after it hash NULL apart from '∅'.
    @Test func rowsHashedBeforeTheUpgradeStillVerify() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-audit-v1-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("lake.sqlite").path
        let old = try DatabaseQueue(path: path)
        try LakeSchema.migrator.migrate(old, upTo: "v5-bronze-in-landed-files")
        try old.write { db in
            var previous = LakeStore.genesisHash
            for id in Int64(1)...3 {
                let hash = LakeStore.sha256Hex(
                    AuditEntry.canonicalText(
                        .v1, id: id, at: at, actor: "ann", action: "old", target: "T\(id)", before: nil, after: "∅", reason: nil,
                        previousHash: previous))
                try db.execute(
                    sql:
                        "INSERT INTO audit_log (id, at, actor, action, target, before, after, reason, previous_hash, hash) VALUES (?, ?, 'ann', 'old', ?, NULL, '∅', NULL, ?, ?)",
                    arguments: [id, at, "T\(id)", previous, hash])
                previous = hash
            }
        }
        try old.close()
        let store = try LakeStore(path: path)
        try store.appendAudit(.init(actor: "ann", action: "new", target: "T4"), at: at)
        #expect(try store.auditChainProblems() == [])
        let entry = try #require(try store.auditEntries().first)
        let v1 = LakeStore.sha256Hex(
            AuditEntry.canonicalText(
                .v1, id: 4, at: at, actor: "ann", action: "new", target: "T4", before: nil, after: nil, reason: nil,
                previousHash: entry.previousHash))
        #expect(entry.hash != v1)
        // The upgrade anchored the head it found, so even the old rows' tail is now watched.
        #expect(try AuditAnchor.read(from: folder.appendingPathComponent("audit.anchor").path).anchors.map(\.rows) == [3, 4])
    }

    @Test func nullAndTheEmptySetSignHashApart() {
        func text(_ before: String?) -> String {
            AuditEntry.canonicalText(
                id: 1, at: at, actor: "a", action: "b", target: "c", before: before, after: nil, reason: nil, previousHash: "0")
        }
        #expect(text(nil) != text("∅"))
        #expect(text(nil) != text("~"))
        #expect(text("") != text(nil))
    }
}
