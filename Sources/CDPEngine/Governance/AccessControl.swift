import CDPCore
import CDPStore
import Foundation
import TOMLKit

extension ConfigurationLoader {
    /// Loads `governance/access.toml`: `default_role`, `[roles]` (role = [permissions]) and `[users]`
    /// (user = role). Every problem is collected and the file refused whole.
    public static func access(tomlText: String, file: String) throws(EngineError) -> AccessPolicy {
        let root = try parse(tomlText, file: file)
        var problems: [String] = []
        var reader = TOMLReader(root, path: "")
        let defaultRole = reader.string("default_role", required: false, problems: &problems)
        var roles: [String: Set<Permission>] = [:]
        if let table = reader.table("roles", problems: &problems) {
            var rolesReader = TOMLReader(table, path: "roles")
            for role in table.keys.sorted() {
                var granted: Set<Permission> = []
                for name in rolesReader.strings(role, problems: &problems) ?? [] {
                    if let permission = Permission(rawValue: name) {
                        granted.insert(permission)
                    } else {
                        let known = Permission.allCases.map(\.rawValue).joined(separator: ", ")
                        problems.append("roles.\(role): permission '\(name)' is unknown (known: \(known))")
                    }
                }
                roles[role] = granted
            }
        } else {
            problems.append("[roles] is missing (declare at least one role and its permissions)")
        }
        var users: [String: String] = [:]
        if let table = reader.table("users", problems: &problems) {
            var usersReader = TOMLReader(table, path: "users")
            for user in table.keys.sorted() {
                if let role = usersReader.string(user, problems: &problems) { users[user] = role }
            }
        }
        reader.unknownKeys(problems: &problems, known: ["default_role", "roles", "users"])
        let policy = AccessPolicy(roles: roles, users: users, defaultRole: defaultRole)
        if !roles.isEmpty { problems += policy.problems() }
        guard problems.isEmpty else {
            throw EngineError(.invalidConfiguration, "\(file) is invalid; nothing was run. Fix:", details: problems)
        }
        return policy
    }
}

extension Workspace {
    public static let accessPath = "governance/access.toml"

    /// The principal an environment's user is under this workspace's access policy.
    public func principal(_ environment: Environment) -> Principal {
        accessPolicy.principal(environment.user)
    }

    /// Refuses an action the environment's user may not take, writing the refusal to the audit log.
    /// - Parameter attempt: what was tried, for the message and the audit row (`quarantine.fix Q12`).
    /// - Throws: `EngineError.forbidden` naming the missing permission and the roles that have it.
    public func authorize(_ permission: Permission, _ environment: Environment, attempt: String) throws(EngineError) {
        let principal = principal(environment)
        guard !principal.may(permission) else { return }
        let refusal = LakeStore.AuditDraft(
            actor: environment.user, action: "access.refused", target: attempt,
            reason: "needs \(permission.rawValue) (role \(principal.role ?? "none"))")
        try storeCall { () throws(StoreError) in try store.appendAudit(refusal, at: environment.timestamp) }
        throw Self.forbidden(principal, permission, policy: accessPolicy)
    }

    static func forbidden(_ principal: Principal, _ permission: Permission, policy: AccessPolicy) -> EngineError {
        let granting = policy.roles(granting: permission)
        let hint = granting.isEmpty ? "no role grants it" : "roles with it: \(granting.joined(separator: ", "))"
        return EngineError(
            .forbidden,
            "\(principal) may not \(permission.phrase): missing permission \(permission.rawValue) (\(hint); see \(accessPath))")
    }

    /// The environment of a session: the OS user, or the user named by `--as` when the OS user's role
    /// grants `act_as`. A refused `--as` is audited.
    /// - Throws: `EngineError.forbidden` when the OS user may not act as another user.
    public func session(osUser: String, actingAs requested: String?, now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 })
        throws(EngineError) -> Environment
    {
        let own = Environment(now: now, user: osUser)
        guard let requested, requested != osUser else { return own }
        try authorize(.actAsOthers, own, attempt: "act as \(requested)")
        return Environment(now: now, user: requested)
    }

    /// What this environment's user sees of personal data: nothing masked with `view_pii`, else every
    /// column the dictionary tags `PII.*` masked.
    public func masker(for environment: Environment) -> PIIMasker {
        principal(environment).may(.viewPII) ? .none : PIIMasker(columns: piiColumns)
    }

    /// Column name → kind of personal data: the data dictionary's `PII.*` tags once the workspace has a
    /// dictionary, else the canonical personal fields and the source columns mapped onto them.
    public var piiColumns: [String: PIIKind] { personalData.columns }

    /// Which columns hold personal data, from the dictionary's tags when there is a dictionary.
    public var personalData: PersonalDataMap {
        let defaults = PIIMasker.defaultColumns(for: configuration.sources)
        // A lake that cannot be read falls back to the built-in personal columns: still masked, never shown.
        guard let hasDictionary = try? store.hasDictionary(), hasDictionary, let tagged = try? store.dictionaryTags() else {
            return .defaults(defaults)
        }
        let entries = tagged.map { DictionaryEntry($0.key, tags: $0.tags) }
        return PersonalDataMap(entries: entries, defaults: defaults)
    }

    static func loadAccessPolicy(root: URL) throws(EngineError) -> AccessPolicy {
        let file = root.appendingPathComponent(accessPath)
        guard FileManager.default.fileExists(atPath: file.path) else { return .unrestricted }
        let text = try readText(file, label: accessPath)
        return try ConfigurationLoader.access(tomlText: text, file: file.path)
    }
}
