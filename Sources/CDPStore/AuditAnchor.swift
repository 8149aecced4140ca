import CDPRepositories
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

    /// The line of this anchor: `rows head time link`, where `link` is the SHA-256 of the line before it
    /// (without its newline; 64 zeros for the first line), so a line cut from the middle or edited shows.
    func line(after previous: Substring?) -> String {
        "\(rows) \(head) \(at) \(Self.link(to: previous))\n"
    }

    /// The link a line carries to the line before it.
    static func link(to previous: Substring?) -> String {
        guard let previous else { return LakeStore.genesisHash }
        return LakeStore.sha256Hex(String(previous))
    }

    /// Appends this anchor, linked to the file's last line, under an exclusive `flock` so two writers never
    /// link to the same line, as one `write(2)` to a file opened `O_APPEND`. Best effort: the audit row is
    /// committed already, and a missing anchor only weakens what `verify` can prove later (and is reported).
    func append(to file: String) {
        let descriptor = open(file, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else { return }
        defer { flock(descriptor, LOCK_UN) }
        let bytes = Array(line(after: Self.lastLine(of: descriptor)).utf8)
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }

    /// The file's last non-empty line, read from its tail (a line is well under 4 KiB).
    static func lastLine(of descriptor: Int32) -> Substring? {
        let size = lseek(descriptor, 0, SEEK_END)
        guard size > 0 else { return nil }
        let length = Int(min(size, 4096))
        var buffer = [UInt8](repeating: 0, count: length)
        let read = pread(descriptor, &buffer, length, size - off_t(length))
        guard read > 0 else { return nil }
        let text = String(decoding: buffer[0..<read], as: UTF8.self)
        return text.split(separator: "\n").last
    }

    /// What a file holds: its anchors, the numbers of its lines that are not anchors, and of those whose
    /// link does not match the line before (one cut or edited before them). No file: nothing, `exists` false.
    struct FileContents: Sendable {
        var exists = false
        var anchors: [AuditAnchor] = []
        var malformedLines: [Int] = []
        var unlinkedLines: [Int] = []
    }

    /// Reads and checks an anchor file. Lines written before anchors were linked (`rows head time`) are
    /// accepted without a link.
    /// - Throws: `StoreError.io` when the file exists but cannot be read.
    static func read(from file: String) throws(StoreError) -> FileContents {
        guard FileManager.default.fileExists(atPath: file) else { return FileContents() }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw StoreError(.io, "cannot read \(file); check its permissions")
        }
        var contents = FileContents(exists: true)
        var previous: Substring?
        for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty { continue }
            defer { previous = line }
            var parts = line.split(separator: " ")
            var link: Substring?
            if parts.count == 4, parts[3].count == 64, parts[3].allSatisfy(\.isHexDigit) { link = parts.removeLast() }
            guard parts.count == 3, let rows = Int64(parts[0]), rows >= 0, parts[1].count == 64, parts[1].allSatisfy({ $0.isHexDigit })
            else {
                contents.malformedLines.append(index + 1)
                continue
            }
            if let link, link != Self.link(to: previous) { contents.unlinkedLines.append(index + 1) }
            contents.anchors.append(AuditAnchor(rows: rows, head: String(parts[1]), at: String(parts[2])))
        }
        return contents
    }
}
