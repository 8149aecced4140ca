import CDPCore
import Foundation

/// The landed files of a workspace (`lake/landing/`), which stay on the workspace's disk whichever store holds the
/// lake: what a quarantined record's lineage points into.
public enum LandedFile {
    /// The folder, relative to the workspace, that landed files are kept in; `landed_text` reads nothing else.
    public static let landingFolder = "lake/landing"

    /// The longest record `landed_text` reads (a span is the lake's own, but a damaged one must not make it
    /// allocate without bound).
    public static let longestRecord: Int64 = 1 << 28

    /// The text of a record's span of a landed file (`path` relative to `root`), decoded as the reader
    /// decodes it; nil when the file cannot be read or lies outside the landing folder.
    public static func text(root: String, path: String, span: RecordSpan) -> String? {
        guard span.length >= 0, span.offset >= 0, span.length <= longestRecord,
            let resolved = file(root: root, path: path)
        else { return nil }
        let descriptor = open(resolved, O_RDONLY | O_NOFOLLOW)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        let length = Int(span.length)
        var bytes = [UInt8](repeating: 0, count: length)
        let read = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, length, off_t(span.offset)) }
        guard read == length else { return nil }
        return ByteText.text(bytes)
    }

    /// The real path of a landed file, or nil unless `path` names one inside `root`'s landing folder: relative,
    /// under `lake/landing/`, without `.` or `..` parts, and not a symbolic link (nor in a linked folder) that
    /// leads out of the landing folder.
    public static func file(root: String, path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        let prefix = landingFolder.split(separator: "/")
        guard !path.hasPrefix("/"), parts.count > prefix.count, Array(parts.prefix(prefix.count)) == prefix,
            !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." })
        else { return nil }
        guard let landing = realPath(root + "/" + landingFolder), let file = realPath(root + "/" + path),
            file.hasPrefix(landing + "/")
        else { return nil }
        return file
    }

    /// `realpath(3)`: the path with every symbolic link, `.` and `..` resolved; nil when it does not exist.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
