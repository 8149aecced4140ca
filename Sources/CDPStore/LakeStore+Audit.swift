import CDPCore
import Crypto
import Foundation
import GRDB

/// The append-only, hash-chained audit log. Every steward action writes its row in the same
/// transaction as the change it records.
extension LakeStore {
    public struct AuditDraft: Sendable {
        public var actor: String
        public var action: String
        public var target: String
        public var before: String?
        public var after: String?
        public var reason: String?
        public init(actor: String, action: String, target: String, before: String? = nil, after: String? = nil, reason: String? = nil) {
            self.actor = actor
            self.action = action
            self.target = target
            self.before = before
            self.after = after
            self.reason = reason
        }
    }

    /// The hash the first row chains from.
    public static let genesisHash = String(repeating: "0", count: 64)

    @discardableResult
    public func appendAudit(_ draft: AuditDraft, at: String) throws(StoreError) -> AuditEntryID {
        try write("append to the audit log") { db in try Self.appendAudit(draft, at: at, db) }
    }

    @discardableResult
    static func appendAudit(_ draft: AuditDraft, at: String, _ db: Database) throws -> AuditEntryID {
        let previous = try String.fetchOne(db, sql: "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1") ?? genesisHash
        let id = (try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM audit_log") ?? 0) + 1
        let hash = sha256Hex(
            AuditEntry.canonicalText(
                id: id, at: at, actor: draft.actor, action: draft.action, target: draft.target, before: draft.before,
                after: draft.after, reason: draft.reason, previousHash: previous))
        try db.execute(
            sql: """
                INSERT INTO audit_log (id, at, actor, action, target, before, after, reason, previous_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [id, at, draft.actor, draft.action, draft.target, draft.before, draft.after, draft.reason, previous, hash])
        return AuditEntryID(id)
    }

    public struct AuditFilter: Sendable {
        public var actor: String?
        public var action: String?
        /// Matches targets starting with this text (e.g. `Q12` or `quarantine:`).
        public var target: String?
        public var limit: Int
        public init(actor: String? = nil, action: String? = nil, target: String? = nil, limit: Int = 200) {
            self.actor = actor
            self.action = action
            self.target = target
            self.limit = limit
        }
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

    /// Walks the chain from the first row and names every row whose hash or link does not hold, and every
    /// gap in the ids (a deleted row).
    public func auditChainProblems() throws(StoreError) -> [String] {
        try read("verify the audit log") { db in
            var problems: [String] = []
            var previous = Self.genesisHash
            var expectedID: Int64 = 1
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
                        id: entry.id.rawValue, at: entry.at, actor: entry.actor, action: entry.action, target: entry.target,
                        before: entry.before, after: entry.after, reason: entry.reason, previousHash: entry.previousHash))
                if recomputed != entry.hash {
                    problems.append("audit row \(entry.id) (\(entry.action) \(entry.target)) was edited: its hash does not match its content")
                }
                previous = entry.hash
                expectedID = entry.id.rawValue + 1
            }
            return problems
        }
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
    /// - Throws: `StoreError.io` naming the file.
    public static func sha256(ofFileAt path: String) throws(StoreError) -> (hex: String, bytes: Int64) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StoreError(.io, "cannot read \(path): no such file or no permission")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        var total: Int64 = 0
        do {
            while let chunk = try handle.read(upToCount: 4 << 20), !chunk.isEmpty {
                hasher.update(data: chunk)
                total += Int64(chunk.count)
            }
        } catch {
            throw StoreError(.io, "cannot read \(path)", underlying: error)
        }
        return (hasher.finalize().map { String(format: "%02x", $0) }.joined(), total)
    }
}
