import CDPCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a source's path pattern matched: the files to read, and what was passed over and why.
public struct SourceFiles: Sendable, Hashable {
    /// Regular files (and links to regular files inside the workspace, as the files they lead to), by name.
    public var files: [URL] = []
    /// Matching entries that are not read, each with the reason: "inbox/x.csv is a folder".
    public var passedOver: [String] = []

    public init(files: [URL] = [], passedOver: [String] = []) {
        self.files = files
        self.passedOver = passedOver
    }
}

extension Workspace {
    /// Files matching a source's path pattern, sorted by name (`*` and `?` match in the last component).
    ///
    /// Only regular files are read. A folder, a named pipe, a device or a socket is passed over with a
    /// reason; so is a symbolic link leading nowhere or out of the workspace (one to /etc/passwd once had
    /// its first line echoed in an error). A link to a regular file inside the workspace is followed: the
    /// file it leads to is listed.
    public func files(for source: SourceConfiguration) -> SourceFiles {
        let pattern = root.appendingPathComponent(source.path)
        let folder = pattern.deletingLastPathComponent()
        let namePattern = pattern.lastPathComponent
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return SourceFiles() }
        var found = SourceFiles()
        let realRoot = Self.resolved(root.path) ?? root.path
        for name in names.filter({ fnmatch(namePattern, $0, 0) == 0 }).sorted() {
            let entry = folder.appendingPathComponent(name)
            let shown = relativePath(entry)
            var status = stat()
            guard lstat(entry.path, &status) == 0 else {
                found.passedOver.append("\(shown): \(String(cString: strerror(errno)))")
                continue
            }
            let type = status.st_mode & S_IFMT
            if type == S_IFREG {
                found.files.append(entry)
                continue
            }
            guard type == S_IFLNK else {
                found.passedOver.append("\(shown) is \(InboxFile.kind(of: status.st_mode)), not a regular file")
                continue
            }
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: entry.path)) ?? "?"
            guard let resolved = Self.resolved(entry.path) else {
                found.passedOver.append("\(shown) is a symbolic link to \(target), which does not exist")
                continue
            }
            guard resolved.hasPrefix(realRoot + "/") else {
                found.passedOver.append(
                    "\(shown) is a symbolic link out of the workspace (to \(target)); links are followed only within it")
                continue
            }
            var targetStatus = stat()
            guard stat(resolved, &targetStatus) == 0, targetStatus.st_mode & S_IFMT == S_IFREG else {
                found.passedOver.append(
                    "\(shown) is a symbolic link to \(target), which is \(InboxFile.kind(of: targetStatus.st_mode)), not a regular file")
                continue
            }
            // Named as the file it leads to, below the workspace as the user knows it.
            found.files.append(root.appendingPathComponent(String(resolved.dropFirst(realRoot.count + 1))))
        }
        return found
    }

    /// `file` relative to the workspace when inside it, else as it is.
    public func relativePath(_ file: URL) -> String {
        let prefix = root.path + "/"
        return file.path.hasPrefix(prefix) ? String(file.path.dropFirst(prefix.count)) : file.path
    }

    /// The path with every symbolic link resolved; nil when it leads nowhere.
    static func resolved(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }
}
