import CDPCore
import CDPPostgresStore
import CDPRepositories
import CDPStore
import Foundation

/// An opened workspace folder: its configuration, rules and lake.
///
/// Layout: `cdp.toml`, `governance/rules.toml`, `workflows/*.json`, `lake/lake.sqlite` and
/// `lake/landing/<source>/` for landed files.
public final class Workspace: Sendable {
    public let root: URL
    public let configuration: WorkspaceConfiguration
    public let rules: RuleSet
    /// The embedded lake (`lake/lake.sqlite`); nil when the workspace lives on a team store. Internal: front ends
    /// read through ``LakeReader`` and the engine's services, which authorise and mask in one place.
    let embeddedLake: LakeStore?
    /// The team store the lake lives on (`[store] address` in cdp.toml), logged in as the person running `cdp`.
    let teamLake: PostgresLake?
    /// The lake's repositories, one per feature: what the engine's services read and write through. Internal,
    /// as the store is.
    let repositories: LakeRepositories
    /// Who may do what (`governance/access.toml`; everyone is an admin when the file never existed).
    public let accessPolicy: AccessPolicy
    /// Who opened the workspace: the OS user as the kernel names them, or on a team store the login role the
    /// server authenticated (`current_user`), never `$USER`.
    public let identity: OSIdentity

    /// Whether the lake lives on a team store (PostgreSQL) rather than in `lake/`.
    public var isOnTeamStore: Bool { teamLake != nil }

    /// The embedded lake, for what only an embedded workspace has (its file, SQLite's own settings).
    /// - Precondition: the workspace is not on a team store; code reachable from one checks ``embeddedLake``.
    var store: LakeStore {
        guard let embeddedLake else { preconditionFailure("\(root.path) lives on a team store: there is no embedded lake") }
        return embeddedLake
    }

    public static let configurationFileName = "cdp.toml"
    public static let rulesPath = "governance/rules.toml"
    public static let workflowsFolder = "workflows"
    public static let defaultWorkflow = "customer_pipeline"

    public var configurationFile: URL { root.appendingPathComponent(Self.configurationFileName) }
    public var rulesFile: URL { root.appendingPathComponent(Self.rulesPath) }
    public var lakeFolder: URL { root.appendingPathComponent("lake") }
    public var landingFolder: URL { lakeFolder.appendingPathComponent("landing") }
    public var databaseFile: URL { lakeFolder.appendingPathComponent("lake.sqlite") }

    /// The file of the workflow `name` (with or without `.json`) in `workflows/`.
    /// - Throws: `.invalidConfiguration` for a name that is not a plain file name: a run's workflow chooses who is
    ///   notified and where webhooks go, so it comes from the workspace's own `workflows/` folder, never from a path
    ///   a user types (`../../elsewhere.json`).
    public func workflowFile(_ name: String) throws(EngineError) -> URL {
        try Self.workflowFile(name, in: root)
    }

    static func workflowFile(_ name: String, in root: URL) throws(EngineError) -> URL {
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix("."), !name.contains("\0") else {
            throw EngineError(
                .invalidConfiguration,
                "'\(name)' is not a workflow name: give the name of a file in \(workflowsFolder)/ (e.g. \(defaultWorkflow)), not a path; "
                    + "`cdp check` lists the workflows")
        }
        return root.appendingPathComponent(workflowsFolder).appendingPathComponent(name.hasSuffix(".json") ? name : "\(name).json")
    }

    /// Opens a workspace: loads and checks its configuration, rules and access file (every problem of every
    /// one of them reported at once), then opens the lake and checks the access file against the versions the
    /// lake recorded.
    /// - Parameters:
    ///   - mode: `.readOnly` for commands that only read: the lake is neither migrated nor written.
    ///   - identity: who opens it (the kernel's user; tests pass another).
    ///   - upgradingTeamStore: a team store that lacks some of this release's migrations is opened anyway, for
    ///     ``applyAccess(toTeamStore:lockTimeout:)`` to install them; otherwise such a store is refused, naming them.
    /// - Throws: `EngineError.workspace` when the folder is not a workspace, `.invalidConfiguration` listing
    ///   every problem of the configuration files with its file, line and setting, `.forbidden` when an access
    ///   file the lake recorded is gone.
    public init(
        at path: String, mode: LakeStore.OpenMode = .readWrite, identity: OSIdentity = .current, upgradingTeamStore: Bool = false
    ) throws(EngineError) {
        root = URL(fileURLWithPath: path).standardizedFileURL
        let configFile = root.appendingPathComponent(Self.configurationFileName)
        guard FileManager.default.fileExists(atPath: configFile.path) else {
            throw EngineError(
                .workspace,
                "\(root.path) is not a workspace (no \(Self.configurationFileName)); create one with `cdp init \(path) --from sample-data`")
        }
        let root = root
        var problems = ConfigurationProblems()
        let configuration = try problems.collect { () throws(EngineError) in try Self.loadConfiguration(root: root) }
        let rules = try problems.collect { () throws(EngineError) in try Self.loadRules(root: root, sources: configuration?.sources) }
        // The access file's own problems are reported with the others, before the lake is opened.
        _ = try problems.collect { () throws(EngineError) in try Self.checkAccessFile(root: root) }
        try problems.check()
        guard let configuration, let rules else {
            throw EngineError(.workspace, "\(root.path): the configuration could not be read")
        }
        self.configuration = configuration
        self.rules = rules
        if let address = configuration.storeAddress {
            let lake = try storeCall { () throws(StoreError) in
                try PostgresLake.open(
                    address, environment: ProcessInfo.processInfo.environment, osUser: identity.user, workspaceRoot: root.path,
                    requiringEveryMigration: !upgradingTeamStore)
            }
            teamLake = lake
            embeddedLake = nil
            repositories = lake.repositories
            self.identity = OSIdentity(uid: identity.uid, user: lake.user)
            // The database enforces the roles (`cdp access apply --store` compiles the file into them); the engine
            // decides from the same file.
            accessPolicy = try Self.teamStoreAccessPolicy(root: root)
            return
        }
        self.identity = identity
        teamLake = nil
        let lake = root.appendingPathComponent("lake")
        try Self.refusePrivateLake(lake)
        do {
            if !FileManager.default.fileExists(atPath: lake.appendingPathComponent("landing").path) {
                try FileManager.default.createDirectory(at: lake.appendingPathComponent("landing"), withIntermediateDirectories: true)
            }
        } catch {
            throw EngineError(.workspace, "cannot create \(lake.path): \(error.localizedDescription)")
        }
        let rootPath = root.path
        let database = lake.appendingPathComponent("lake.sqlite").path
        let store = try storeCall { () throws(StoreError) in try LakeStore(path: database, workspaceRoot: rootPath, mode: mode) }
        embeddedLake = store
        repositories = store.repositories
        accessPolicy = try Self.reconcileAccessPolicy(root: root, store: store, identity: identity) { () throws(StoreError) in
            store.mode == .readWrite ? store : try LakeStore(path: database, workspaceRoot: rootPath, mode: .readWrite)
        }
    }

    /// The same workspace over other repositories (a test puts one in between the engine and the lake).
    init(_ workspace: Workspace, repositories: LakeRepositories) {
        root = workspace.root
        configuration = workspace.configuration
        rules = workspace.rules
        embeddedLake = workspace.embeddedLake
        teamLake = workspace.teamLake
        self.repositories = repositories
        accessPolicy = workspace.accessPolicy
        identity = workspace.identity
    }

    /// Loads and plans a workflow of this workspace.
    /// - Parameter parameters: job parameter values for this run (`cdp run --param`), overriding the defaults.
    public func workflow(named name: String = Workspace.defaultWorkflow, parameters: [String: String] = [:]) throws(EngineError) -> WorkflowPlan {
        let file = try workflowFile(name)
        guard let data = FileManager.default.contents(atPath: file.path) else {
            let available = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(Self.workflowsFolder).path))?
                .filter { $0.hasSuffix(".json") }.sorted().joined(separator: ", ") ?? "none"
            throw EngineError(.workspace, "no workflow \(file.path) (available: \(available))")
        }
        return try ConfigurationLoader.workflow(
            jsonData: data, file: file.path, sources: configuration.sources.map(\.name), parameters: parameters)
    }

    public func source(_ name: SourceName) throws(EngineError) -> SourceConfiguration {
        guard let source = configuration.source(named: name) else {
            let known = configuration.sources.map(\.name.rawValue).joined(separator: ", ")
            throw EngineError(.notFound, "no source '\(name)' in cdp.toml (sources: \(known))")
        }
        return source
    }

    /// What `rules` need to validate rows today: the current keys of every source a reference rule names,
    /// read from the lake once.
    /// - Throws: `EngineError` when a rule names a source cdp.toml lacks, or the lake cannot be read.
    public func validationEnvironment(for rules: [RuleDefinition], today: String) throws(EngineError) -> ValidationEnvironment {
        var keys: [SourceName: KeySet] = [:]
        for rule in rules {
            guard case .reference(_, let target) = rule.check, keys[target] == nil else { continue }
            let entity = try source(target).entity
            keys[target] = try storeCall { () throws(StoreError) in try repositories.batches.currentKeys(source: target, entity: entity) }
        }
        return ValidationEnvironment(today: today, referenceKeys: keys)
    }

    static func readText(_ url: URL, label: String) throws(EngineError) -> String {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw EngineError(.workspace, "cannot read \(url.path)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw EngineError.configuration([ConfigurationProblem(file: url.path, ConfigurationIssue("", "is not valid UTF-8; save \(label) as UTF-8"))])
        }
        return text
    }

    static func loadConfiguration(root: URL) throws(EngineError) -> WorkspaceConfiguration {
        let file = root.appendingPathComponent(configurationFileName)
        return try ConfigurationLoader.workspace(tomlText: readText(file, label: configurationFileName), file: file.path)
    }

    /// Reads `governance/access.toml`, when there is one, for its problems only (what the policy means for the
    /// lake is decided when the lake is open).
    static func checkAccessFile(root: URL) throws(EngineError) {
        let file = root.appendingPathComponent(accessPath)
        guard FileManager.default.fileExists(atPath: file.path) else { return }
        _ = try ConfigurationLoader.access(tomlText: readText(file, label: accessPath), file: file.path)
    }

    /// - Parameter sources: nil when cdp.toml could not be read (the rules are then checked on their own).
    static func loadRules(root: URL, sources: [SourceConfiguration]?) throws(EngineError) -> RuleSet {
        let file = root.appendingPathComponent(rulesPath)
        let text = FileManager.default.fileExists(atPath: file.path) ? try readText(file, label: rulesPath) : ""
        return try ConfigurationLoader.rules(tomlText: text, file: file.path, sources: sources)
    }
}
