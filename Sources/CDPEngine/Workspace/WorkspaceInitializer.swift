import CDPCore
import CDPPostgresStore
import Foundation

/// Creates workspaces: the default configuration (cdp.toml, governance/rules.toml, workflows/) plus,
/// when given, a folder of source data (its `inbox/` and `truth/`).
public enum WorkspaceInitializer {
    /// The configuration shipped with the engine, as a folder.
    public static var templateFolder: URL? {
        Bundle.module.url(forResource: "WorkspaceTemplate", withExtension: nil)
    }

    /// Creates a workspace at `path`. With `dataFolder`, copies its `inbox/` and `truth/` (and its own
    /// configuration files, if it has them, in place of the defaults). Opens the lake and seeds its data
    /// dictionary from the schema.
    /// - Parameter administrator: a user added to `governance/access.toml` as an admin (the one creating it).
    /// - Throws: `EngineError.workspace` when `path` already holds a workspace or cannot be written.
    public static func initialize(at path: String, from dataFolder: String? = nil, administrator: String? = nil) throws(EngineError) {
        try makeFolder(at: path, from: dataFolder, administrator: administrator, store: nil)
        // The lake starts with a data dictionary describing every dataset and column it will hold.
        let workspace = try Workspace(at: URL(fileURLWithPath: path).path)
        try DictionaryService(workspace: workspace, environment: .live(user: administrator ?? "cdp")).seed()
    }

    /// What ``initialize(at:from:store:identity:)`` did on the team store.
    public struct TeamStoreInitialization: Sendable {
        /// The login role the server authenticated, made the workspace's admin in `governance/access.toml`.
        public var administrator: String
        public var access: Workspace.TeamStoreAccessReport
    }

    /// Creates a workspace whose lake lives on the team store at `address` (`postgresql://…`, a socket folder or
    /// `service=NAME`; never with a password): the folder as ``initialize(at:from:administrator:)`` makes it, with
    /// `[store] address` in cdp.toml; the store's schema installed or upgraded; the login role the server
    /// authenticated (never `$USER`) named admin in `governance/access.toml`; the data dictionary seeded (audited
    /// as `dictionary.seed`); and the access file applied to the store (roles, grants, masked views; audited there as
    /// `access.apply`). Needs a role that may install the
    /// schema and manage roles (a superuser, or the database's owner with CREATEROLE).
    /// - Throws: `.invalidConfiguration` for an address with a password or that cannot be read (nothing is
    ///   created); `.store`/`.forbidden` when the store refuses (the folder is removed again).
    public static func initialize(at path: String, from dataFolder: String? = nil, store address: String, identity: OSIdentity = .current)
        throws(EngineError) -> TeamStoreInitialization
    {
        if let problem = ConfigurationLoader.storeAddressProblem(address) {
            throw EngineError.configuration([
                ConfigurationProblem(file: "--store", ConfigurationIssue("address", problem))
            ])
        }
        let root = URL(fileURLWithPath: path)
        let (administrator, migrations) = try Workspace.withTeamStore(address, identity: identity) {
            session async throws(PostgresStoreError) in
            (try await session.currentUser(), try await PostgresTeamStore.install(session))
        }
        let existed = FileManager.default.fileExists(atPath: root.path)
        try makeFolder(at: path, from: dataFolder, administrator: administrator, store: address)
        do {
            let workspace = try Workspace(at: root.path, identity: identity)
            // The store's dictionary seeded as the embedded init seeds it, before the access file is compiled from
            // its tags.
            try DictionaryService(workspace: workspace, environment: .live(user: administrator)).seed()
            var access = try workspace.applyAccess(toTeamStore: address)
            access.migrations = migrations + access.migrations
            return TeamStoreInitialization(administrator: administrator, access: access)
        } catch {
            // A folder this call made goes again, so the command can simply be rerun.
            if !existed { try? FileManager.default.removeItem(at: root) }
            throw error
        }
    }

    /// The workspace's folder: configuration (cdp.toml with `[store] address` when given), governance/,
    /// workflows/, the data folder's inbox/ and truth/, and lake/landing/.
    private static func makeFolder(at path: String, from dataFolder: String?, administrator: String?, store: String?) throws(EngineError) {
        let manager = FileManager.default
        let root = URL(fileURLWithPath: path)
        if manager.fileExists(atPath: root.appendingPathComponent(Workspace.configurationFileName).path) {
            throw EngineError(.workspace, "\(root.path) is already a workspace (it has cdp.toml); choose another folder or remove it")
        }
        guard let template = templateFolder else {
            throw EngineError(.workspace, "the workspace template is missing from this build; rebuild cdp")
        }
        let source = dataFolder.map { URL(fileURLWithPath: $0) }
        if let source, !manager.fileExists(atPath: source.path) {
            throw EngineError(.workspace, "\(source.path) does not exist; point --from at a folder holding inbox/ (e.g. sample-data)")
        }
        do {
            try manager.createDirectory(at: root, withIntermediateDirectories: true)
            for item in [Workspace.configurationFileName, "governance", Workspace.workflowsFolder] {
                let own = source?.appendingPathComponent(item)
                let from = own.flatMap { manager.fileExists(atPath: $0.path) ? $0 : nil } ?? template.appendingPathComponent(item)
                try copy(from, to: root.appendingPathComponent(item))
            }
            if let source {
                for item in ["inbox", "truth"] where manager.fileExists(atPath: source.appendingPathComponent(item).path) {
                    try copy(source.appendingPathComponent(item), to: root.appendingPathComponent(item), privately: true)
                }
            } else {
                try manager.createDirectory(at: root.appendingPathComponent("inbox"), withIntermediateDirectories: true)
            }
            try manager.createDirectory(at: root.appendingPathComponent("lake/landing"), withIntermediateDirectories: true)
            try Workspace.makePrivate(root)
            if let administrator { try addAdministrator(administrator, to: root.appendingPathComponent(Workspace.accessPath)) }
            if let store { try addStore(store, to: root.appendingPathComponent(Workspace.configurationFileName)) }
        } catch let error as EngineError {
            throw error
        } catch {
            throw EngineError(.workspace, "cannot create the workspace at \(root.path): \(error.localizedDescription)")
        }
    }

    /// Names the team store in cdp.toml (`[store] address`), as a TOML basic string.
    private static func addStore(_ address: String, to file: URL) throws {
        var text = try String(contentsOf: file, encoding: .utf8)
        if !text.hasSuffix("\n") { text += "\n" }
        text += "\n# The lake lives on this team store (PostgreSQL); no password here: ~/.pgpass, a service file or peer login.\n"
        text += "[store]\naddress = \(tomlString(address))\n"
        try text.write(to: file, atomically: true, encoding: .utf8)
    }

    static func tomlString(_ text: String) -> String {
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": quoted += "\\\\"
            case "\"": quoted += "\\\""
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: quoted += String(format: "\\u%04X", scalar.value)
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }

    /// Writes the default configuration files into `folder` (used by `cdp generate`), leaving data alone.
    public static func writeConfiguration(into folder: String) throws(EngineError) {
        guard let template = templateFolder else { throw EngineError(.workspace, "the workspace template is missing from this build") }
        let root = URL(fileURLWithPath: folder)
        do {
            for item in [Workspace.configurationFileName, "governance", Workspace.workflowsFolder] {
                try? FileManager.default.removeItem(at: root.appendingPathComponent(item))
                try copy(template.appendingPathComponent(item), to: root.appendingPathComponent(item))
            }
        } catch {
            throw EngineError(.workspace, "cannot write configuration into \(root.path): \(error.localizedDescription)")
        }
    }

    /// Names `user` an admin in an access file whose last table is `[users]` (as the template's is),
    /// unless the file already names them.
    private static func addAdministrator(_ user: String, to file: URL) throws {
        guard var text = try? String(contentsOf: file, encoding: .utf8) else { return }
        let key = "\"" + user.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        guard !text.contains("\n\(key) =") && !text.contains("\n\(user) =") else { return }
        if !text.hasSuffix("\n") { text += "\n" }
        text += "\(key) = \"admin\"   # created this workspace\n"
        try text.write(to: file, atomically: true, encoding: .utf8)
    }

    /// Copies the contents of `from` (a file or a folder, recursively) to `to`, owned by whoever runs cdp with the
    /// usual modes. Never the owner or mode of the original: copying them failed for a user who does not own the
    /// shipped template, and as root kept the data folder's owner on the workspace's private inbox.
    /// - Parameter privately: folders 0700 and files 0600 from the start (personal data: the inbox, the truth), not
    ///   only once the whole copy is done.
    private static func copy(_ from: URL, to: URL, privately: Bool = false) throws {
        let manager = FileManager.default
        try manager.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
        if manager.fileExists(atPath: to.path) { try manager.removeItem(at: to) }
        try copyContents(from, to: to, privately: privately)
    }

    private static func copyContents(_ from: URL, to: URL, privately: Bool) throws {
        let manager = FileManager.default
        if let link = try? manager.destinationOfSymbolicLink(atPath: from.path) {
            return try manager.createSymbolicLink(atPath: to.path, withDestinationPath: link)
        }
        var isFolder: ObjCBool = false
        guard manager.fileExists(atPath: from.path, isDirectory: &isFolder) else { throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: from.path]) }
        if isFolder.boolValue {
            try manager.createDirectory(at: to, withIntermediateDirectories: false, attributes: privately ? [.posixPermissions: 0o700] : nil)
            for name in try manager.contentsOfDirectory(atPath: from.path) {
                try copyContents(from.appendingPathComponent(name), to: to.appendingPathComponent(name), privately: privately)
            }
            return
        }
        // In chunks: a landed source file may be gigabytes.
        let input = try FileHandle(forReadingFrom: from)
        defer { try? input.close() }
        guard manager.createFile(atPath: to.path, contents: nil, attributes: privately ? [.posixPermissions: 0o600] : nil) else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: to.path]) }
        let output = try FileHandle(forWritingTo: to)
        defer { try? output.close() }
        while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty { try output.write(contentsOf: chunk) }
    }
}
