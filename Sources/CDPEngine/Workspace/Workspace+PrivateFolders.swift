import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension Workspace {
    /// The folders holding personal data as landed or kept: the lake (the database and the landed files), the
    /// inbox and the generator's truth. `cdp init` makes them private to their owner (0700): the embedded lake is
    /// single-user, and whoever can read its file reads every value, whatever the roles say.
    static let privateFolders = ["lake", "inbox", "truth"]

    /// Makes each of ``privateFolders`` under `root` that exists readable by its owner only.
    static func makePrivate(_ root: URL) throws {
        for folder in privateFolders {
            let path = root.appendingPathComponent(folder).path
            guard FileManager.default.fileExists(atPath: path) else { continue }
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: path)
        }
    }

    /// Refuses, with what to do, a lake the user may not enter: its owner kept it private (as `cdp init` makes it).
    /// - Throws: `.workspace` naming the lake's owner.
    static func refusePrivateLake(_ lake: URL) throws(EngineError) {
        var status = stat()
        guard stat(lake.path, &status) == 0, access(lake.path, R_OK | X_OK) != 0 else { return }
        let owner = getpwuid(status.st_uid).map { String(cString: $0.pointee.pw_name) } ?? "uid \(status.st_uid)"
        throw EngineError(
            .workspace,
            "\(lake.path) is private to \(owner): the embedded lake is single-user, and its files are readable by their owner only, "
                + "since whoever reads them reads every personal value. Run cdp as \(owner) (for example `sudo -u \(owner) cdp …`), or "
                + "move the lake to a team store, where each person logs in as themselves (README, \"Team store\")")
    }
}
