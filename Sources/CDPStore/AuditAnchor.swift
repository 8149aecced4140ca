import Foundation
import GRDB
import GRDBSQLite

/// The audit chain's length and head hash at one moment, kept outside the audit table: a line of
/// `lake/audit.anchor` (`rows head-hash time`), appended after every commit that adds audit rows, and the
/// `audit_rows`/`audit_head` of each finished run.
///
/// The hash chain alone shows an edited row, not a deleted tail or a history rewritten with recomputed
/// hashes; a head recorded elsewhere does, unless whoever rewrote the table also rewrote every anchor.
struct AuditAnchor: Sendable, Hashable {
    /// How many rows the chain had (the id of its last row).
    var rows: Int64
    var head: String
    var at: String

    static let fileName = "audit.anchor"

    /// `audit.anchor` beside the database file.
    static func file(besideDatabase path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        return (folder.isEmpty ? "." : folder) + "/" + fileName
    }

    /// `audit.anchor` beside the database a connection has open; nil in memory.
    static func file(besideDatabaseOf db: Database) -> String? {
        guard let name = sqlite3_db_filename(db.sqliteConnection, "main") else { return nil }
        let path = String(cString: name)
        return path.isEmpty ? nil : file(besideDatabase: path)
    }

    var line: String { "\(rows) \(head) \(at)\n" }

    /// Appends this anchor as one `write(2)` to a file opened `O_APPEND`, so concurrent writers never
    /// interleave within a line. Best effort: the audit row is committed already, and a missing anchor only
    /// weakens what `verify` can prove later.
    func append(to file: String) {
        let descriptor = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let bytes = Array(line.utf8)
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }

    /// The anchors of a file and the numbers of its lines that are not anchors. No file: no anchors.
    /// - Throws: `StoreError.io` when the file exists but cannot be read.
    static func read(from file: String) throws(StoreError) -> (anchors: [AuditAnchor], malformedLines: [Int]) {
        guard FileManager.default.fileExists(atPath: file) else { return ([], []) }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw StoreError(.io, "cannot read \(file); check its permissions")
        }
        var anchors: [AuditAnchor] = []
        var malformed: [Int] = []
        for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty { continue }
            let parts = line.split(separator: " ", maxSplits: 2)
            guard parts.count == 3, let rows = Int64(parts[0]), rows >= 0, parts[1].count == 64,
                parts[1].allSatisfy({ $0.isHexDigit })
            else {
                malformed.append(index + 1)
                continue
            }
            anchors.append(AuditAnchor(rows: rows, head: String(parts[1]), at: String(parts[2])))
        }
        return (anchors, malformed)
    }
}
