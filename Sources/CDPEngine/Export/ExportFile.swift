import CDPCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A file a user named for cdp to write lake data to (an export): checked before anything is read, created
/// private (``PrivateFile``) under a hidden name beside the target, and renamed over the target only once whole,
/// so a failed export leaves no half file. Dropped uncommitted, the partial file goes.
public final class ExportFile {
    /// The path as the user gave it, for messages.
    public let path: String
    private let target: URL
    private let partial: URL
    private let handle: FileHandle
    private var buffer = Data()
    private var committed = false
    /// Bytes gathered before each write.
    private static let chunk = 1 << 20

    /// - Throws: `.forbidden` when the destination is refused (``checkDestination(_:in:for:)``); `.input` for a folder,
    ///   or naming the file when it cannot be created.
    public convenience init(path: String, in workspace: Workspace, for environment: Environment) throws(EngineError) {
        try Self.checkDestination(path, in: workspace, for: environment)
        try self.init(checkedPath: path)
    }

    /// A document of the workspace's own a user asks for by name (`cdp dictionary export --out
    /// governance/dictionary.toml`): written as an export is, privately and whole, and allowed among the workspace's
    /// files; still refused while the session acts for another user.
    /// - Throws: `.forbidden` while acting for another user; `.input` as ``init(path:in:for:)``.
    public convenience init(workspaceDocument path: String, for environment: Environment) throws(EngineError) {
        try UserNamedFile.checkWrite(path, for: environment)
        try self.init(checkedPath: path)
    }

    private init(checkedPath path: String) throws(EngineError) {
        // An export replaces a file, never a folder and what it holds.
        var status = stat()
        if lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
            throw EngineError(.input, "cdp does not write \(path): it is a folder; name a file in it, e.g. \(path)/export.csv")
        }
        self.path = path
        target = URL(fileURLWithPath: path)
        partial = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).partial")
        handle = try PrivateFile.create(atPath: partial.path, shownAs: path)
    }

    deinit {
        guard !committed else { return }
        try? handle.close()
        try? FileManager.default.removeItem(at: partial)
    }

    /// Appends `text`.
    /// - Throws: `.input` naming the file when it cannot be written.
    public func write(_ text: String) throws(EngineError) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.chunk { try flush() }
    }

    /// Writes what is left and puts the file in place of the target.
    /// - Throws: `.input` naming the file when it cannot be written or renamed.
    public func commit() throws(EngineError) {
        try flush()
        do {
            try handle.close()
        } catch {
            throw EngineError(.input, "cannot write \(path): \(error.localizedDescription)")
        }
        // rename(2) puts the whole file in place at once and replaces only a file (or a link): a folder there fails
        // rather than being deleted with what it holds.
        guard rename(partial.path, target.path) == 0 else {
            throw EngineError(.input, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        committed = true
    }

    private func flush() throws(EngineError) {
        guard !buffer.isEmpty else { return }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw EngineError(.input, "cannot write \(path): \(error.localizedDescription)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Refuses a destination an export must not have, before anything is read:
    /// - any file while the session acts for another user (`--as`): it would be written, and could replace any file,
    ///   as the account cdp runs as — in a shared workspace the service account that owns the lake — not as the
    ///   person the session is for;
    /// - a file among what the workspace is made of (``workspaceParts(of:)``): the lake and its audit anchor, the
    ///   configuration, governance and workflow files an export put in their place would destroy, and the folders
    ///   whose files the next run ingests. Symbolic links are followed to where the file would really go. Elsewhere
    ///   in the workspace folder (say `reports/`) is the user's.
    /// - Throws: `.forbidden` saying where to write instead.
    public static func checkDestination(_ path: String, in workspace: Workspace, for environment: Environment) throws(EngineError) {
        try UserNamedFile.checkWrite(path, for: environment)
        let named = URL(fileURLWithPath: path)
        let inFolder = resolved(named.deletingLastPathComponent()).appendingPathComponent(named.lastPathComponent)
        for destination in [inFolder, resolved(inFolder)] {
            for part in workspaceParts(of: workspace) where destination.path == part.path || destination.path.hasPrefix(part.path + "/") {
                throw EngineError(
                    .forbidden,
                    "cdp does not write \(path): it is inside \(part.path), part of the workspace (the lake, its audit anchor, the "
                        + "configuration and governance files, the folders a run ingests), which an export could replace or be ingested "
                        + "from; write it elsewhere, e.g. a reports/ folder")
            }
        }
    }

    /// What a workspace is made of, resolved: `cdp.toml`, `lake/`, `governance/`, `workflows/`, `themes/`, `inbox/`,
    /// `truth/` and each source's folder (a relative source path's folder; its pattern's folder when it has one).
    static func workspaceParts(of workspace: Workspace) -> [URL] {
        let root = resolved(workspace.root)
        let fixed = [Workspace.configurationFileName, "lake", "governance", Workspace.workflowsFolder, "themes", "inbox", "truth"]
        let sourceFolders = workspace.configuration.sources.map { source in
            URL(fileURLWithPath: source.path, relativeTo: workspace.root).deletingLastPathComponent()
        }
        return fixed.map { root.appendingPathComponent($0) } + sourceFolders.map(resolved)
    }

    /// `url` with `..` and symbolic links resolved as far as the path exists.
    private static func resolved(_ url: URL) -> URL { url.standardizedFileURL.resolvingSymlinksInPath() }
}

/// A file a user names for cdp to read or write, while cdp acts for another user (`--as`, as README's sudo wrapper
/// does): cdp would open it as the account it runs as — in a shared workspace the service account that owns the lake
/// — so the caller could read any file that account may read, or replace any of its files.
public enum UserNamedFile {
    /// - Throws: `.forbidden` naming both users and what to do instead.
    public static func checkWrite(_ path: String, for environment: Environment) throws(EngineError) {
        guard let account = environment.actingAccount else { return }
        throw EngineError(
            .forbidden,
            "cdp does not write \(path) while \(account) acts as \(environment.user): the file would be \(account)'s and could replace any of "
                + "\(account)'s files. Write to standard output instead (leave out --out), or run cdp as \(environment.user)")
    }

    /// - Throws: `.forbidden` naming both users and what to do instead.
    public static func checkRead(_ path: String, for environment: Environment) throws(EngineError) {
        guard let account = environment.actingAccount else { return }
        throw EngineError(
            .forbidden,
            "cdp does not read \(path) while \(account) acts as \(environment.user): it would read it as \(account), who may read files "
                + "\(environment.user) may not. Run cdp as \(environment.user) to use a file of theirs")
    }
}
