import CDPCore
import CDPRepositories
import Foundation
import GRDB

extension LakeStore: AccessPolicyRepository {}

/// The versions of `governance/access.toml` the lake has seen, each recorded with an audit row in one
/// transaction.
extension LakeStore {
    /// The version recorded last, or nil when the lake never saw an access file.
    public func latestAccessPolicy() throws(StoreError) -> AccessPolicyVersion? {
        try read("read the recorded access policy") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM access_policy_version ORDER BY id DESC LIMIT 1").map(Self.accessPolicyVersion)
        }
    }

    /// The last audit row that recorded a version of the access file (`access.recorded`, `.changed`, `.restored`),
    /// or nil: a lake whose versions were deleted still shows in its audit log that it had a file.
    public func lastAccessFileEvent() throws(StoreError) -> AuditEntry? {
        try read("read the access file's audit rows") { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT * FROM audit_log WHERE action IN ('access.recorded', 'access.changed', 'access.restored')
                    ORDER BY id DESC LIMIT 1
                    """
            ).map(Self.auditEntry)
        }
    }

    /// Every recorded version, oldest first.
    public func accessPolicyHistory() throws(StoreError) -> [AccessPolicyVersion] {
        try read("read the access policy history") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM access_policy_version ORDER BY id").map(Self.accessPolicyVersion)
        }
    }

    /// Records a version of the access file and its audit row in one transaction, unless the version recorded
    /// last already has this hash (another process recorded it meanwhile). Returns whether it recorded.
    @discardableResult
    public func recordAccessPolicy(
        sha256: String, text: String, event: String, by user: String, at: String, audit: AuditDraft
    ) throws(StoreError) -> Bool {
        try write("record governance/access.toml") { db in
            let last = try String.fetchOne(db, sql: "SELECT sha256 FROM access_policy_version ORDER BY id DESC LIMIT 1")
            guard last != sha256 || event == "restored" else { return false }
            try db.execute(
                sql: "INSERT INTO access_policy_version (recorded_at, recorded_by, event, sha256, text) VALUES (?, ?, ?, ?, ?)",
                arguments: [at, user, event, sha256, text])
            try Self.appendAudit(audit, at: at, db)
            return true
        }
    }

    static func accessPolicyVersion(_ row: Row) -> AccessPolicyVersion {
        AccessPolicyVersion(
            id: row["id"], recordedAt: row["recorded_at"], recordedBy: row["recorded_by"], event: row["event"],
            sha256: row["sha256"], text: row["text"])
    }
}
