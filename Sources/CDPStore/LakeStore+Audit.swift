import CDPCore
import CDPRepositories
import Crypto
import Foundation
import GRDB

extension LakeStore: AuditRepository {}

/// The append-only, hash-chained audit log. Every steward action writes its row in the same
/// transaction as the change it records.
extension LakeStore {
    /// The hash the first row chains from.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// Appends a row to the chain in a transaction of its own (always linked at once: the embedded lake has one writer).
    @discardableResult
    public func appendAudit(_ draft: AuditDraft, at: String) throws(StoreError) -> AuditEntryID? {
        try write("append to the audit log") { db in try Self.appendAudit(draft, at: at, db) }
    }

    /// Appends a row in the caller's transaction; once that transaction commits, the new head is also
    /// appended to `audit.anchor` beside the database, outside the table's reach.
    @discardableResult
    static func appendAudit(_ draft: AuditDraft, at: String, _ db: Database) throws -> AuditEntryID {
        try appendAudits([draft], at: at, db)[0]
    }

    /// Appends `drafts` as consecutive rows of the chain in the caller's transaction, with one prepared statement,
    /// and anchors only the last of them: one `audit.anchor` line and one update of the anchored count for the whole
    /// action, not one per row (a bulk assignment of 5,000 records wrote 5,000 anchor lines, each a commit hook).
    /// - Returns: the ids of the new rows, in order (empty for no drafts).
    @discardableResult
    static func appendAudits(_ drafts: [AuditDraft], at: String, _ db: Database) throws -> [AuditEntryID] {
        guard !drafts.isEmpty else { return [] }
        let head = try Row.fetchOne(db, sql: "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
        var previous: String = head?["hash"] ?? genesisHash
        var id: Int64 = head?["id"] ?? 0
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO audit_log (id, at, actor, action, target, before, after, reason, previous_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        var ids: [AuditEntryID] = []
        ids.reserveCapacity(drafts.count)
        for draft in drafts {
            id += 1
            let hash = sha256Hex(
                AuditEntry.canonicalText(
                    .current, id: id, at: at, actor: draft.actor, action: draft.action, target: draft.target, before: draft.before,
                    after: draft.after, reason: draft.reason, previousHash: previous))
            try insert.execute(arguments: [
                id, at, draft.actor, draft.action, draft.target, draft.before, draft.after, draft.reason, previous, hash,
            ])
            previous = hash
            ids.append(AuditEntryID(id))
        }
        if let anchorFile = AuditAnchor.file(besideDatabaseOf: db) {
            try recordAnchored(rows: id, db)
            let anchor = AuditAnchor(rows: id, head: previous, at: at)
            db.afterNextTransaction(onCommit: { _ in anchor.append(to: anchorFile) })
        }
        return ids
    }

    /// Records in the lake that `audit.anchor` reaches row `rows`, in the caller's transaction.
    static func recordAnchored(rows: Int64, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO audit_anchor_state (id, anchored_rows) VALUES (1, ?)
                ON CONFLICT(id) DO UPDATE SET anchored_rows = MAX(anchored_rows, excluded.anchored_rows)
                """,
            arguments: [rows])
    }

    /// Anchors the chain's head when the lake has rows but never anchored them (a lake from before anchors).
    /// A lake that recorded anchoring rows and lost its anchor file is left as it is: `verify` reports it.
    func anchorAuditHeadIfUnanchored() {
        // A read first: a lake that needs nothing takes no write lock (a run may hold it).
        let unanchored = { (db: Database) throws -> Bool in
            let anchored = try Int64.fetchOne(db, sql: "SELECT anchored_rows FROM audit_anchor_state")
            let rows = try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM audit_log")
            return anchored == nil && rows != nil
        }
        guard let path, case let file = AuditAnchor.file(besideDatabase: path), !FileManager.default.fileExists(atPath: file),
            (try? read("read the audit anchor state", unanchored)) == true,
            let head = try? write(
                "anchor the audit head",
                { db -> Row? in
                    guard try Int64.fetchOne(db, sql: "SELECT anchored_rows FROM audit_anchor_state") == nil,
                        let head = try Row.fetchOne(db, sql: "SELECT id, hash, at FROM audit_log ORDER BY id DESC LIMIT 1")
                    else { return nil }
                    try Self.recordAnchored(rows: head["id"], db)
                    return head
                })
        else { return }
        AuditAnchor(rows: head["id"], head: head["hash"], at: head["at"]).append(to: file)
    }

    /// Audit rows, newest first.
    public func auditEntries(_ filter: AuditFilter = AuditFilter()) throws(StoreError) -> [AuditEntry] {
        try read("read the audit log") { db in
            var clauses: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            if let actor = filter.actor { clauses.append("actor = ?"); arguments.append(actor) }
            if let action = filter.action { clauses.append("action = ?"); arguments.append(action) }
            if let target = filter.target { clauses.append("target = ?"); arguments.append(target) }
            let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
            arguments.append(filter.limit)
            return try Row.fetchAll(
                db, sql: "SELECT * FROM audit_log \(whereSQL) ORDER BY id DESC LIMIT ?",
                arguments: StatementArguments(arguments)
            ).map(Self.auditEntry)
        }
    }

    public func auditCount(actor: String, action: String, since: String) throws(StoreError) -> Int {
        try read("count audit rows") { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM audit_log WHERE actor = ? AND action = ? AND at >= ?", arguments: [actor, action, since]) ?? 0
        }
    }

    /// Everything that says the audit log was tampered with, named: a row whose hash or link does not hold
    /// (each row is checked with the hashing it was written with), a gap in the ids (a deleted row), a chain
    /// that does not reach or match a head recorded outside the table (`audit.anchor`, the run records: a
    /// deleted tail, a history rewritten with recomputed hashes), append-only triggers dropped or changed, and a run
    /// recorded without its `run.start` row.
    public func auditChainProblems() throws(StoreError) -> [String] {
        var fileAnchors = AuditAnchor.FileContents()
        if let path { fileAnchors = try AuditAnchor.read(from: AuditAnchor.file(besideDatabase: path)) }
        return try read("verify the audit log") { db in
            var problems: [String] = []
            let v2From = try Int64.fetchOne(db, sql: "SELECT first_id FROM audit_hashing WHERE version = 2") ?? Int64.max
            var previous = Self.genesisHash
            var expectedID: Int64 = 1
            var hashes: [Int64: String] = [:]
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM audit_log ORDER BY id")
            while let row = try cursor.next() {
                let entry = Self.auditEntry(row)
                if entry.id.rawValue != expectedID {
                    problems.append("audit rows \(AuditEntryID(expectedID))…\(AuditEntryID(entry.id.rawValue - 1)) are missing (deleted)")
                }
                if entry.previousHash != previous {
                    problems.append("audit row \(entry.id) does not link to the row before it")
                }
                let recomputed = Self.sha256Hex(
                    AuditEntry.canonicalText(
                        entry.id.rawValue >= v2From ? .v2 : .v1,
                        id: entry.id.rawValue, at: entry.at, actor: entry.actor, action: entry.action, target: entry.target,
                        before: entry.before, after: entry.after, reason: entry.reason, previousHash: entry.previousHash))
                if recomputed != entry.hash {
                    problems.append(
                        "audit row \(entry.id) (\(entry.action) \(entry.target)) was edited: its hash does not match its content")
                }
                hashes[entry.id.rawValue] = entry.hash
                previous = entry.hash
                expectedID = entry.id.rawValue + 1
            }
            let last = expectedID - 1
            var anchors = fileAnchors.anchors.map { (anchor: $0, place: "audit.anchor") }
            for row in try Row.fetchAll(
                db, sql: "SELECT id, audit_rows, audit_head, finished_at FROM workflow_run WHERE audit_rows IS NOT NULL ORDER BY id")
            {
                let anchor = AuditAnchor(rows: row["audit_rows"], head: row["audit_head"] ?? "", at: row["finished_at"] ?? "")
                anchors.append((anchor, "run \(RunID(row["id"] as Int64))"))
            }
            for line in fileAnchors.malformedLines {
                problems.append("audit.anchor line \(line) is not an anchor (rows, head hash, time): the file was edited")
            }
            for line in fileAnchors.unlinkedLines {
                problems.append(
                    "audit.anchor line \(line) does not link to the line before it: a line before it was cut or edited")
            }
            if path != nil {
                let fileReaches = fileAnchors.anchors.map(\.rows).max() ?? 0
                let anchored = try Int64.fetchOne(db, sql: "SELECT anchored_rows FROM audit_anchor_state")
                if fileAnchors.anchors.isEmpty && (last > 0 || (anchored ?? 0) > 0) {
                    problems.append(
                        "lake/audit.anchor is \(fileAnchors.exists ? "empty" : "missing") but the audit log has \(last) rows"
                            + (anchored.map { " and the lake recorded anchoring \($0)" } ?? "")
                            + ": it was removed or emptied, so rows deleted since the last run would go unseen")
                } else if let anchored, fileReaches < anchored {
                    problems.append(
                        "lake/audit.anchor reaches row \(AuditEntryID(fileReaches)) but the lake recorded anchoring row "
                            + "\(AuditEntryID(anchored)): its last lines were cut (or a process died between a commit and its anchor)")
                }
                if let anchored, last < anchored, fileReaches <= last {
                    problems.append(
                        "the audit log ends at row \(AuditEntryID(last)) but the lake recorded anchoring row \(AuditEntryID(anchored)): rows "
                            + "\(AuditEntryID(last + 1))…\(AuditEntryID(anchored)) were deleted")
                }
            }
            let accessVersions = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM access_policy_version") ?? 0
            let accessEvents =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM audit_log WHERE action IN ('access.recorded', 'access.changed', 'access.restored')") ?? 0
            if accessVersions < accessEvents {
                problems.append(
                    "the audit log records \(accessEvents) versions of governance/access.toml but access_policy_version holds "
                        + "\(accessVersions): recorded versions were deleted (a workspace that had an access file must not pass for one that never had)"
                )
            } else if accessVersions > accessEvents {
                problems.append(
                    "access_policy_version holds \(accessVersions) versions of governance/access.toml but the audit log records "
                        + "\(accessEvents): the audit rows of \(accessVersions - accessEvents) were deleted")
            }
            var reported: Set<String> = []
            for (anchor, place) in anchors {
                let problem: String
                if anchor.rows > last {
                    problem =
                        "the audit log ends at row \(AuditEntryID(last)) but \(place) recorded \(anchor.rows) rows at \(anchor.at): rows "
                        + "\(AuditEntryID(last + 1))…\(AuditEntryID(anchor.rows)) were deleted"
                } else if anchor.rows > 0, hashes[anchor.rows] != anchor.head {
                    problem =
                        "audit row \(AuditEntryID(anchor.rows)) is not the row \(place) recorded at \(anchor.at) (head \(anchor.head.prefix(12))…): "
                        + "the history up to it was rewritten"
                } else {
                    continue
                }
                if reported.insert(problem).inserted { problems.append(problem) }
            }
            // `cdp run` records a run and its `run.start` in one transaction: a run without it was written outside it —
            // from the first run recorded since `v14-runs-are-recorded-with-their-start` (every run when its row is gone).
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT r.id, r.actor, r.state FROM workflow_run r
                    WHERE r.id >= coalesce((SELECT first_run FROM run_start_rule WHERE id = 1), 1)
                        AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.action = 'run.start' AND a.target = 'R' || r.id) ORDER BY r.id
                    """)
            {
                problems.append(AuditEntry.runWithoutItsStart(RunID(row["id"] as Int64), actor: row["actor"], state: row["state"]))
            }
            let triggers = try Row.fetchAll(
                db,
                sql:
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (\(Self.appendOnlyTriggers.keys.map { "'\($0)'" }.joined(separator: ", ")))"
            )
            let found = Dictionary(
                triggers.map { ($0["name"] as String, Self.normalizedSQL($0["sql"] ?? "")) }, uniquingKeysWith: { first, _ in first })
            for (name, expected) in Self.appendOnlyTriggers.sorted(by: { $0.key < $1.key }) {
                guard let actual = found[name] else {
                    problems.append("trigger \(name) is missing (dropped): the table it protects can be changed in place")
                    continue
                }
                if actual != Self.normalizedSQL(expected) {
                    problems.append("trigger \(name) was changed: it no longer reads as the lake created it (\(actual))")
                }
            }
            return problems
        }
    }

    /// The triggers that keep the audit log, its hashing boundary, the recorded access files and the run-start rule's
    /// boundary append-only, as the migrations create them.
    static let appendOnlyTriggers: [String: String] = [
        "audit_log_no_update":
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
        "audit_log_no_delete":
            "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
        "audit_hashing_no_update":
            "CREATE TRIGGER audit_hashing_no_update BEFORE UPDATE ON audit_hashing BEGIN SELECT RAISE(ABORT, 'audit_hashing is append-only'); END",
        "audit_hashing_no_delete":
            "CREATE TRIGGER audit_hashing_no_delete BEFORE DELETE ON audit_hashing BEGIN SELECT RAISE(ABORT, 'audit_hashing is append-only'); END",
        "access_policy_version_no_update":
            "CREATE TRIGGER access_policy_version_no_update BEFORE UPDATE ON access_policy_version BEGIN SELECT RAISE(ABORT, 'access_policy_version is append-only'); END",
        "access_policy_version_no_delete":
            "CREATE TRIGGER access_policy_version_no_delete BEFORE DELETE ON access_policy_version BEGIN SELECT RAISE(ABORT, 'access_policy_version is append-only'); END",
        "run_start_rule_no_update":
            "CREATE TRIGGER run_start_rule_no_update BEFORE UPDATE ON run_start_rule BEGIN SELECT RAISE(ABORT, 'run_start_rule is append-only'); END",
        "run_start_rule_no_delete":
            "CREATE TRIGGER run_start_rule_no_delete BEFORE DELETE ON run_start_rule BEGIN SELECT RAISE(ABORT, 'run_start_rule is append-only'); END",
    ]

    /// SQL with every run of white space made one space, so a trigger reads the same however it was indented.
    static func normalizedSQL(_ sql: String) -> String {
        sql.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    static func auditEntry(_ row: Row) -> AuditEntry {
        AuditEntry(
            id: AuditEntryID(row["id"] as Int64), at: row["at"], actor: row["actor"], action: row["action"],
            target: row["target"], before: row["before"], after: row["after"], reason: row["reason"],
            previousHash: row["previous_hash"], hash: row["hash"])
    }

    static func sha256Hex(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

/// SHA-256 of files, streamed, for the landed-file manifest.
public enum FileDigest {
    /// SHA-256 of bytes in memory, as lowercase hex.
    public static func sha256(of data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// - Throws: `StoreError.io` naming the file.
    public static func sha256(ofFileAt path: String) throws(StoreError) -> (hex: String, bytes: Int64) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StoreError(.io, "cannot read \(path): no such file or no permission")
        }
        defer { try? handle.close() }
        return try sha256(readingFrom: handle, name: path)
    }
}
