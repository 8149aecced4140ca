import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The folder a benchmark works in. A benchmark runs what it finds there — a workspace's workflows and notification
/// command, the team store its settings name, with the password `~/.pgpass` gives for it — so the folder must be the
/// caller's own: by default a new private one (`mkdtemp`: a name no one can predict or place a link at, mode 0700),
/// and a folder named with `--scratch` only when the caller owns it and no one else may write into it.
public struct BenchmarkScratch: Sendable {
    /// The folder to work in.
    public let folder: URL
    /// Whether the folder was made for this run (and goes when it ends).
    public let isTemporary: Bool

    /// The folder named `given`, checked (and made private when absent), or a new private temporary folder whose name
    /// starts with `cdp-bench-<name>-`.
    /// - Throws: `.refused` for a folder another user owns or may write into; `.workspace` when it cannot be made.
    public static func resolve(_ given: String?, name: String) throws(EngineError) -> BenchmarkScratch {
        guard let given else {
            return BenchmarkScratch(folder: try PrivateTemporaryFolder.make(prefix: "cdp-bench-\(name)"), isTemporary: true)
        }
        let folder = URL(fileURLWithPath: given, isDirectory: true)
        if !FileManager.default.fileExists(atPath: folder.path) {
            do {
                // Only the scratch folder itself is private: folders made on the way to it keep the usual mode (a
                // shared parent made 0700 would lock out everyone else using it).
                try FileManager.default.createDirectory(at: folder.deletingLastPathComponent(), withIntermediateDirectories: true)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            } catch {
                throw EngineError(.workspace, "cannot make the scratch folder \(folder.path): \(error.localizedDescription)")
            }
        }
        try requireOwnFolder(folder)
        return BenchmarkScratch(folder: folder, isTemporary: false)
    }

    /// Removes the folder when it was made for this run.
    public func removeIfTemporary() {
        if isTemporary { try? FileManager.default.removeItem(at: folder) }
    }

    /// Refuses a folder (followed through links, as it will be used) that is not this user's, or that others may
    /// write into: whoever can place a workspace there decides what the benchmark runs.
    /// - Throws: `.refused` naming the owner or the mode.
    static func requireOwnFolder(_ folder: URL) throws(EngineError) {
        var status = stat()
        guard stat(folder.path, &status) == 0 else {
            throw EngineError(.workspace, "cannot read the scratch folder \(folder.path): \(String(cString: strerror(errno)))")
        }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            throw EngineError(.refused, "the scratch folder \(folder.path) is not a folder; name a folder of your own with --scratch")
        }
        try requireOwn(folder.path, status)
    }

    /// Refuses to reuse a workspace left in a scratch folder unless it and everything in it (not followed through
    /// links) is this user's and writable by no one else: its settings, access file and workflows decide what runs.
    /// - Throws: `.refused` naming the first entry that is not.
    public static func requireOwnWorkspace(_ folder: URL) throws(EngineError) {
        try requireOwnFolder(folder)
        guard let entries = FileManager.default.enumerator(atPath: folder.path) else { return }
        for case let entry as String in entries {
            let path = folder.appendingPathComponent(entry).path
            var status = stat()
            guard lstat(path, &status) == 0 else { continue }
            try requireOwn(path, status)
        }
    }

    private static func requireOwn(_ path: String, _ status: stat) throws(EngineError) {
        let me = getuid()
        if status.st_uid != me {
            let owner = getpwuid(status.st_uid).map { String(cString: $0.pointee.pw_name) } ?? "uid \(status.st_uid)"
            throw EngineError(
                .refused,
                "\(path) belongs to \(owner), not to you: a benchmark runs what its scratch folder holds (workflows, commands, the "
                    + "store its settings name), so it uses only a folder of your own; name another with --scratch, or leave it out "
                    + "for a new private one")
        }
        let isLink = status.st_mode & S_IFMT == S_IFLNK
        if !isLink, status.st_mode & (S_IWGRP | S_IWOTH) != 0 {
            throw EngineError(
                .refused,
                "\(path) may be written by others (mode \(String(status.st_mode & 0o777, radix: 8))): a benchmark runs what its scratch "
                    + "folder holds, so it uses only a folder no one else may write into; `chmod go-w` it, or name another with --scratch")
        }
    }
}
