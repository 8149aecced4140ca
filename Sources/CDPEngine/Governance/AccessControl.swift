import CDPCore
import CDPRepositories
import CDPStore
import Foundation
import TOMLKit

extension ConfigurationLoader {
    /// Loads `governance/access.toml`: `default_role`, `[roles]` (role = [permissions]) and `[users]`
    /// (user = role). Every problem is collected and the file refused whole.
    public static func access(tomlText: String, file: String) throws(EngineError) -> AccessPolicy {
        let root = try parse(tomlText, file: file)
        var problems: [ConfigurationIssue] = []
        var reader = TOMLReader(root, path: "")
        let defaultRole = reader.string("default_role", required: false, problems: &problems)
        var roles: [String: Set<Permission>] = [:]
        if let table = reader.table("roles", problems: &problems) {
            var rolesReader = TOMLReader(table, path: "roles")
            for role in table.keys.sorted() {
                var granted: Set<Permission> = []
                for (index, name) in (rolesReader.strings(role, problems: &problems) ?? []).enumerated() {
                    if let permission = Permission(rawValue: name) {
                        granted.insert(permission)
                    } else {
                        let known = Permission.allCases.map(\.rawValue).joined(separator: ", ")
                        problems.append(ConfigurationIssue("roles.\(role)[\(index)]", "'\(name)' is not a permission (known: \(known))"))
                    }
                }
                roles[role] = granted
            }
        } else {
            problems.append(ConfigurationIssue("roles", "[roles] is missing (declare at least one role and its permissions)"))
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
        try refuse(problems, text: tomlText, file: file)
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
        let refusal = AuditDraft(
            actor: environment.user, action: "access.refused", target: attempt,
            reason: "needs \(permission.rawValue) (role \(principal.role ?? "none"))")
        var refused = Self.forbidden(principal, permission, policy: accessPolicy)
        do {
            try appendAuditEvenIfReadOnly(refusal, at: environment.timestamp)
        } catch {
            guard error.code == .readOnly else { throw EngineError.store(error) }
            // The refusal stands; only its record is lost, and the user is told so.
            refused.message += " (the refusal could not be written to the audit log: the lake is read-only)"
        }
        throw refused
    }

    /// Appends an audit row also when this workspace opened its lake read-only (a reading command refusing
    /// `--as`, or noticing a changed access file), through a short-lived writing connection.
    /// - Throws: `StoreError.readOnly` when the lake itself may not be written.
    func appendAuditEvenIfReadOnly(_ draft: AuditDraft, at: String) throws(StoreError) {
        guard embeddedLake != nil else { return _ = try repositories.audit.appendAudit(draft, at: at) }
        try writableStore().appendAudit(draft, at: at)
    }

    /// This workspace's store when it may write, else a writing store opened on the same lake.
    /// - Throws: `StoreError.readOnly` when the lake itself may not be written.
    func writableStore() throws(StoreError) -> LakeStore {
        guard store.mode == .readOnly, let path = store.path else { return store }
        return try LakeStore(path: path, workspaceRoot: root.path, mode: .readWrite)
    }

    static func forbidden(_ principal: Principal, _ permission: Permission, policy: AccessPolicy) -> EngineError {
        let granting = policy.roles(granting: permission)
        let hint = granting.isEmpty ? "no role grants it" : "roles with it: \(granting.joined(separator: ", "))"
        return EngineError(
            .forbidden,
            "\(principal) may not \(permission.phrase): missing permission \(permission.rawValue) (\(hint); see \(accessPath))")
    }

    /// The environment of a session: the OS user the kernel names (``identity``, never `$USER`), or the
    /// user named by `--as` when that user's role grants `act_as`. A refused `--as` is audited.
    /// - Throws: `EngineError.forbidden` when the OS user may not act as another user.
    public func session(actingAs requested: String?, now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 })
        throws(EngineError) -> Environment
    {
        try session(osUser: identity.user, actingAs: requested, now: now)
    }

    /// The environment of a session of a given OS user; ``session(actingAs:now:)`` takes the user from
    /// the kernel.
    /// - Throws: `EngineError.forbidden` when the OS user may not act as another user.
    public func session(
        osUser: String, actingAs requested: String?, now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    )
        throws(EngineError) -> Environment
    {
        let own = Environment(now: now, user: osUser)
        guard let requested, requested != osUser else { return own }
        guard embeddedLake != nil else {
            // The database knows each session as its login role and writes that role into the audit log; acting
            // as someone else here would check one user's permissions and record another's actions.
            throw EngineError(
                .forbidden,
                "--as is not available on a team store: the database knows you as \(osUser) and records your actions as \(osUser). "
                    + "To work as \(requested), log in as that PostgreSQL role (the store address's user, or PGUSER)")
        }
        try authorize(.actAsOthers, own, attempt: "act as \(requested)")
        // What follows is recorded under the user acted as; this row keeps who really acted, as sudo's log does.
        let actingAs = AuditDraft(
            actor: osUser, action: "access.act_as", target: "user:\(requested)",
            reason: "\(osUser) acts as \(requested) (role \(principal(Environment(now: now, user: requested)).role ?? "none")) for this session")
        do {
            try appendAuditEvenIfReadOnly(actingAs, at: own.timestamp)
        } catch {
            var refused = EngineError(.store, "cannot act as \(requested): the audit log could not record who acts (\(error)); run without --as")
            refused.cause = error
            throw refused
        }
        return Environment(now: now, user: requested, actingAccount: osUser)
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
        let dictionary = repositories.dictionary
        guard let hasDictionary = try? dictionary.hasDictionary(), hasDictionary, let tagged = try? dictionary.dictionaryTags() else {
            return .defaults(defaults)
        }
        let entries = tagged.map { DictionaryEntry($0.key, tags: $0.tags) }
        let attributes = configuration.sources.flatMap { source in
            source.attributes.map { PersonalDataMap.Attribute(name: $0.key, source: source.name.rawValue, column: $0.value) }
        }
        return PersonalDataMap(entries: entries, defaults: defaults, attributes: attributes)
    }

    /// The access policy of the workspace at `root`, checked against the versions its lake recorded.
    ///
    /// - A file the lake has not seen, or seen with another hash, is recorded (text and SHA-256) with an
    ///   audit row, `access.recorded` the first time and `access.changed` after, whose before/after hold the
    ///   two texts and whose reason the lines that differ; the actor is the OS user who opened the workspace.
    /// - No file, and the lake never recorded one: a single-user workspace, everyone is an admin
    ///   (``AccessPolicy/unrestricted``), as before anyone set up access.
    /// - No file, but the lake recorded one: fail closed. Everything is refused until the workspace owner
    ///   puts the file back or runs `cdp access restore`.
    /// - Throws: `EngineError.invalidConfiguration` for a bad file, `.forbidden` for a removed one, `.store`
    ///   when a change cannot be recorded (a read-only lake: a change is never applied unaudited).
    static func reconcileAccessPolicy(root: URL, store: LakeStore, identity: OSIdentity, writable: () throws(StoreError) -> LakeStore)
        throws(EngineError) -> AccessPolicy
    {
        let file = root.appendingPathComponent(accessPath)
        let recorded = try storeCall { () throws(StoreError) in try store.latestAccessPolicy() }
        let now = ISOTime.timestamp(Date().timeIntervalSince1970)
        guard FileManager.default.fileExists(atPath: file.path) else {
            if let recorded { throw accessFileMissing(root: root, recorded: recorded) }
            // No version recorded, yet the audit log says there were some: they were deleted from the lake.
            if let event = try storeCall({ () throws(StoreError) in try store.lastAccessFileEvent() }) {
                throw EngineError(
                    .forbidden,
                    "\(accessPath) is missing and the lake's recorded versions of it are gone, but its audit log shows this workspace "
                        + "had one (row \(event.id), \(event.action) at \(event.at) by \(event.actor)); every command is refused. Put the file "
                        + "back: its last text is the `after` of that row (`cdp audit --action \(event.action) --json`), and run `cdp verify`"
                )
            }
            return .unrestricted
        }
        let owner = workspaceOwner(root)
        let fileOwner = try checkAccessFileModes(root: root, owner: owner) { refusal in
            auditRefusal(
                AuditDraft(actor: identity.user, action: "access.refused", target: accessPath, reason: refusal), now, writable)
        }
        let text = try readText(file, label: accessPath)
        let policy = try ConfigurationLoader.access(tomlText: text, file: file.path)
        let hash = FileDigest.sha256(of: Data(text.utf8))
        guard hash != recorded?.sha256 else { return policy }
        // An older lake on a read-only mount never recorded its file: nothing to compare with, nothing lost.
        if recorded == nil && store.mode == .readOnly { return policy }
        if let recorded, owner?.uid != identity.uid {
            // Only the workspace owner adopts a change: a change seen first by someone else may not be theirs to accept.
            let ownerName = owner.map(\.description) ?? "the owner of \(root.path)"
            var refused = EngineError(
                .forbidden,
                "\(accessPath) changed since the lake recorded it (SHA-256 \(recorded.sha256.prefix(12))… → \(hash.prefix(12))…), and only "
                    + "the workspace owner (\(ownerName)) may adopt a change; every command is refused until they run "
                    + "`cdp access apply -w \(root.path)` (audited), or until the recorded version is put back (`cdp access history`)")
            if !auditRefusal(
                AuditDraft(
                    actor: identity.user, action: "access.refused", target: accessPath, before: recorded.text, after: text,
                    reason: "a change (SHA-256 \(hash.prefix(12))…, file owner uid \(fileOwner)) seen by someone other than the workspace "
                        + "owner (\(ownerName)) is not adopted; " + accessDiff(from: recorded.text, to: text)), now, writable)
            {
                refused.message += " (the refusal could not be written to the audit log: the lake is read-only to \(identity.user))"
            }
            throw refused
        }
        let audit: AuditDraft
        if let recorded {
            audit = AuditDraft(
                actor: identity.user, action: "access.changed", target: accessPath, before: recorded.text, after: text,
                reason: "SHA-256 \(recorded.sha256.prefix(12))… → \(hash.prefix(12))…, file owner uid \(fileOwner); "
                    + accessDiff(from: recorded.text, to: text))
        } else {
            audit = AuditDraft(
                actor: identity.user, action: "access.recorded", target: accessPath, after: text,
                reason: "first seen; SHA-256 \(hash.prefix(12))…, file owner uid \(fileOwner)")
        }
        do {
            try writable().recordAccessPolicy(
                sha256: hash, text: text, event: recorded == nil ? "recorded" : "changed", by: identity.user, at: now, audit: audit)
        } catch {
            guard error.code == .readOnly else { throw EngineError.store(error) }
            throw EngineError(
                .store,
                "\(accessPath) changed since the lake recorded it (SHA-256 \(recorded?.sha256.prefix(12) ?? "")… → \(hash.prefix(12))…), and the lake is "
                    + "read-only, so the change cannot be audited and is not applied; run any command where the lake is writable first, "
                    + "or put the recorded version back (`cdp access history`)")
        }
        return policy
    }

    /// Appends a refusal to the audit log where the lake can be written; whether it could.
    @discardableResult
    static func auditRefusal(_ draft: AuditDraft, _ at: String, _ writable: () throws(StoreError) -> LakeStore) -> Bool {
        do {
            try writable().appendAudit(draft, at: at)
            return true
        } catch {
            return false
        }
    }

    /// Checks, as ssh's `StrictModes` does, that only the workspace owner can have written the access file:
    /// the file is a regular file owned by the workspace owner (the OS owner of the workspace folder) and
    /// neither it nor `governance/` nor the workspace folder may be written by group or others (`governance/`
    /// owned by the workspace owner too). Otherwise anyone who can write there could make themselves admin.
    /// - Parameter refuse: records the refusal (an audit row where the lake can be written) and says whether it could.
    /// - Returns: the uid owning the file, for the audit row that records it.
    /// - Throws: `EngineError.forbidden` naming every problem and the commands that fix them.
    static func checkAccessFileModes(root: URL, owner: OSIdentity?, refuse: (String) -> Bool) throws(EngineError)
        -> UInt32
    {
        let folder = root.appendingPathComponent("governance")
        let file = root.appendingPathComponent(accessPath)
        var problems: [String] = []
        var fixes: [String] = []
        var fileOwner: UInt32 = 0
        let ownerName = owner?.user ?? "the owner of \(root.path)"
        func describe(_ uid: uid_t) -> String { "\(OSIdentity.userName(of: uid) ?? "uid:\(uid)") (uid \(uid))" }
        for (path, label, isFile) in [
            (file.path, accessPath, true), (folder.path, "governance/", false), (root.path, "the workspace folder", false),
        ] {
            var info = stat()
            guard lstat(path, &info) == 0 else {
                problems.append("\(label) cannot be examined (\(String(cString: strerror(errno))))")
                continue
            }
            let kind = info.st_mode & S_IFMT
            if isFile {
                fileOwner = info.st_uid
                if kind != S_IFREG {
                    problems.append("\(label) is not a regular file (a symbolic link or other): replace it with the file itself")
                }
            } else if kind != S_IFDIR && path != root.path {
                problems.append("\(label) is not a folder")
            }
            if path != root.path, let owner, info.st_uid != owner.uid {
                problems.append("\(label) is owned by \(describe(info.st_uid)), not by the workspace owner \(owner)")
                fixes.append("chown \(owner.user) \(path)")
            }
            if info.st_mode & (S_IWGRP | S_IWOTH) != 0 {
                problems.append(
                    "\(label) is writable by \(info.st_mode & S_IWOTH != 0 ? "others" : "its group") (mode \(String(info.st_mode & 0o7777, radix: 8)))"
                )
                fixes.append("chmod go-w \(path)")
            }
        }
        guard !problems.isEmpty else { return fileOwner }
        let audited = refuse(problems.joined(separator: "; ") + "; file owner uid \(fileOwner)")
        throw EngineError(
            .forbidden,
            "\(accessPath) is refused: only the workspace owner (\(ownerName)) may be able to write it, or anyone who can could make "
                + "themselves admin; every command is refused until the workspace owner fixes it"
                + (fixes.isEmpty ? "" : " (\(fixes.joined(separator: "; ")))") + " and checks its content"
                + (audited ? "" : " (the refusal could not be written to the audit log: the lake is read-only to this user)"),
            details: problems)
    }

    static func accessFileMissing(root: URL, recorded: AccessPolicyVersion) -> EngineError {
        let owner = workspaceOwner(root)
        return EngineError(
            .forbidden,
            "\(accessPath) is missing, but this workspace had one (last recorded \(recorded.recordedAt) by \(recorded.recordedBy), "
                + "SHA-256 \(recorded.sha256.prefix(12))…); every command is refused until it is back. The workspace owner "
                + "(\(owner.map(\.description) ?? "the owner of \(root.path)")) can write the recorded version back with "
                + "`cdp access restore -w \(root.path)`, or put the file back")
    }

    /// The OS user owning the workspace folder: who may repair its access file.
    public static func workspaceOwner(_ root: URL) -> OSIdentity? {
        var info = stat()
        guard stat(root.path, &info) == 0 else { return nil }
        return OSIdentity(uid: info.st_uid, user: OSIdentity.userName(of: info.st_uid) ?? "uid:\(info.st_uid)")
    }

    /// The lines one access file has and the other lacks, `- removed; + added`, for the audit row's reason.
    static func accessDiff(from old: String, to new: String) -> String {
        func lines(_ text: String) -> [String] {
            text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        let before = lines(old), after = lines(new)
        let removed = before.filter { !after.contains($0) }.map { "- \($0)" }
        let added = after.filter { !before.contains($0) }.map { "+ \($0)" }
        let changes = removed + added
        return changes.isEmpty ? "only white space or line order changed" : changes.joined(separator: "; ")
    }

    /// Writes back the access file the lake recorded last, for a workspace whose file was removed (which
    /// refuses everything until then). Only the workspace owner, the OS user owning its folder, may; the
    /// restore and a refused attempt are audited.
    /// - Returns: the version written back.
    /// - Throws: `EngineError.refused` when the file exists or the lake never recorded one, `.forbidden` when
    ///   `identity` does not own the workspace.
    @discardableResult
    public static func restoreAccessFile(workspaceAt path: String, identity: OSIdentity = .current) throws(EngineError)
        -> AccessPolicyVersion
    {
        let root = URL(fileURLWithPath: path).standardizedFileURL
        guard FileManager.default.fileExists(atPath: root.appendingPathComponent(configurationFileName).path) else {
            throw EngineError(.workspace, "\(root.path) is not a workspace (no \(configurationFileName))")
        }
        let file = root.appendingPathComponent(accessPath)
        guard !FileManager.default.fileExists(atPath: file.path) else {
            throw EngineError(
                .refused,
                "\(file.path) exists; `cdp access restore` only writes back a removed file (edit the file instead: the change is audited)")
        }
        let database = root.appendingPathComponent("lake/lake.sqlite").path
        guard FileManager.default.fileExists(atPath: database) else {
            throw EngineError(.refused, "\(root.path) has no lake yet, so no recorded \(accessPath) to restore")
        }
        let reading = try storeCall { () throws(StoreError) in try LakeStore(path: database, workspaceRoot: root.path, mode: .readOnly) }
        guard let recorded = try storeCall({ () throws(StoreError) in try reading.latestAccessPolicy() }) else {
            throw EngineError(
                .refused,
                "this workspace's lake never recorded a \(accessPath), so there is nothing to restore (without one it is a single-user workspace where everyone is an admin)"
            )
        }
        let now = ISOTime.timestamp(Date().timeIntervalSince1970)
        let owner = workspaceOwner(root)
        guard let owner, owner.uid == identity.uid else {
            var refused = EngineError(
                .forbidden,
                "\(identity) may not restore \(accessPath): only the workspace owner (\(owner.map(\.description) ?? "the owner of \(root.path)")) may"
            )
            let refusal = AuditDraft(
                actor: identity.user, action: "access.refused", target: "access.restore",
                reason: "only the workspace owner (\(owner.map(\.description) ?? "unknown")) may restore \(accessPath)")
            do {
                try LakeStore(path: database, workspaceRoot: root.path).appendAudit(refusal, at: now)
            } catch {
                guard error.code == .readOnly else { throw EngineError.store(error) }
                refused.message += " (the refusal could not be written to the audit log: the lake is read-only to \(identity.user))"
            }
            throw refused
        }
        let store = try storeCall { () throws(StoreError) in try LakeStore(path: database, workspaceRoot: root.path) }
        do {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(recorded.text.utf8).write(to: file, options: .atomic)
        } catch {
            throw EngineError(.workspace, "cannot write \(file.path): \(error.localizedDescription)")
        }
        let audit = AuditDraft(
            actor: identity.user, action: "access.restored", target: accessPath, after: recorded.text,
            reason:
                "the workspace owner wrote back version \(recorded.id) (recorded \(recorded.recordedAt), SHA-256 \(recorded.sha256.prefix(12))…)"
        )
        try storeCall { () throws(StoreError) in
            try store.recordAccessPolicy(
                sha256: recorded.sha256, text: recorded.text, event: "restored", by: identity.user, at: now, audit: audit)
        }
        return recorded
    }
}
