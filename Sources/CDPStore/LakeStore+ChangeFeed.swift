import CDPCore
import CDPRepositories
import GRDB

/// The change feed of the embedded lake: every read is a new snapshot of the WAL, so a console sees what another
/// process (another steward's console, a `cdp` command) committed since its last look.
extension LakeStore: ChangeFeedRepository {
    public func auditedChanges(after mark: AuditEntryID?) throws(StoreError) -> AuditedChanges {
        try read("read what changed in the lake") { db in
            // MAX of the rowid is one step down the table's b-tree, whatever the log's length.
            let head = try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM audit_log") ?? 0
            guard let mark, mark.rawValue < head else { return AuditedChanges(head: AuditEntryID(head), actions: []) }
            let actions = try String.fetchAll(
                db, sql: "SELECT DISTINCT action FROM audit_log WHERE id > ? AND id <= ? ORDER BY action", arguments: [mark.rawValue, head])
            return AuditedChanges(head: AuditEntryID(head), actions: actions)
        }
    }
}
