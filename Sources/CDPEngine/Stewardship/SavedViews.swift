import CDPCore
import CDPRepositories
import Foundation

/// A named view of the quarantine workbench: its filter, its sort and the columns shown, in their order.
public struct SavedView: Sendable, Hashable, Codable {
    public var name: String
    public var source: String?
    public var rule: String?
    /// The statuses shown; empty for all.
    public var statuses: [QuarantineStatus]
    public var text: String?
    /// Whose records: `mine`, `unassigned`, or nil for everyone's.
    public var owner: String?
    /// The column sorted by (a ``QuarantineOrder``); nil for the id.
    public var sort: String?
    public var ascending: Bool
    /// The columns shown, in order (``QuarantineViewColumn`` names); empty for all of them.
    public var columns: [String]

    public init(
        name: String, source: String? = nil, rule: String? = nil, statuses: [QuarantineStatus] = [.open, .fixed], text: String? = nil,
        owner: String? = nil, sort: String? = nil, ascending: Bool = true, columns: [String] = []
    ) {
        self.name = name
        self.source = source
        self.rule = rule
        self.statuses = statuses
        self.text = text
        self.owner = owner
        self.sort = sort
        self.ascending = ascending
        self.columns = columns
    }

    /// The view's filter (everyone's records; the owner is applied by whoever knows the holds).
    public var filter: QuarantineFilter {
        QuarantineFilter(source: source.map { SourceName($0) }, rule: rule, statuses: statuses, text: text)
    }

    /// The view's order.
    public var order: QuarantineOrder { sort.flatMap(QuarantineOrder.init(rawValue:)) ?? .id }

    /// The columns shown, all of them when the view names none.
    public var viewColumns: [QuarantineViewColumn] {
        columns.isEmpty ? QuarantineViewColumn.standard : columns.compactMap(QuarantineViewColumn.init(rawValue:))
    }

    /// One line for lists: `eu-emails: rule email_format · source crm · open,fixed · by age ▼ · 4 columns`.
    public var summary: String {
        var parts: [String] = []
        if let rule { parts.append("rule \(rule)") }
        if let source { parts.append("source \(source)") }
        parts.append(statuses.isEmpty ? "all statuses" : statuses.map(\.rawValue).joined(separator: ","))
        if let text, !text.isEmpty { parts.append("text \"\(text)\"") }
        if let owner { parts.append(owner) }
        if let sort { parts.append("by \(sort) \(ascending ? "▲" : "▼")") }
        parts.append(columns.isEmpty ? "every column" : "\(columns.count) columns")
        return "\(name): " + parts.joined(separator: " · ")
    }
}

/// Each user's saved views of the workbench (`:view save eu-emails`, `:view eu-emails`, `cdp quarantine list --view`),
/// kept through the engine, not in the console's folder, so a view follows its user to any machine. Views are kept
/// as audit rows (`view.save`, `view.delete`, target `view`), on whichever store the workspace uses; the newest row of
/// a name wins. The view itself, name included, is JSON in the row's free-text column, withheld from every reader
/// without view_pii: stewards name views after what they look for (an e-mail, a surname), and its search text is what
/// they typed. Rows written before this rule name the view in the target (`view:NAME`) and are still read.
public struct SavedViews: Sendable {
    static let saveAction = "view.save"
    static let deleteAction = "view.delete"
    static let target = "view"
    /// The target of rows written before names were withheld: `view:NAME`.
    static let targetPrefix = "view:"
    /// Rows read back per user.
    static let readLimit = 5000

    public let workspace: Workspace
    public let environment: Environment

    public init(workspace: Workspace, environment: Environment) {
        self.workspace = workspace
        self.environment = environment
    }

    /// Saves `view` under its name for the user (replacing one of that name).
    /// - Throws: `.refused` for a name that is empty, longer than 40 characters or has spaces; `.store`.
    public func save(_ view: SavedView) throws(EngineError) {
        let name = view.name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 40, !name.contains(" "), !name.contains(":") else {
            throw EngineError(.refused, "a view's name is one word of at most 40 characters, without spaces or colons (e.g. eu-emails); got '\(view.name)'")
        }
        var saved = view
        saved.name = name
        if saved.text?.isEmpty == true { saved.text = nil }
        // Withheld whole from readers without view_pii (the CLI, the console, audit_log_masked, the team store).
        try append(AuditDraft(actor: environment.user, action: Self.saveAction, target: Self.target, reason: try Self.json(saved)))
    }

    /// Deletes the user's view `name`.
    /// - Throws: `.notFound` naming the user's views.
    public func delete(named name: String) throws(EngineError) {
        var view = try view(named: name)
        view.text = nil
        try append(AuditDraft(actor: environment.user, action: Self.deleteAction, target: Self.target, reason: try Self.json(view)))
    }

    /// What a row's free-text column holds: ``reasonPrefix`` and the view as JSON. Not a JSON document itself,
    /// so masked readers get it withheld whole (a JSON document would be masked member by member, and `name` and
    /// `text` are no personal keys).
    private static func json(_ view: SavedView) throws(EngineError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(view) else { throw EngineError(.refused, "the view \(view.name) cannot be written as JSON") }
        return reasonPrefix + String(decoding: data, as: UTF8.self)
    }

    static let reasonPrefix = "saved view "

    /// The user's views, by name.
    /// - Throws: `.store` when the audit log cannot be read.
    public func views() throws(EngineError) -> [SavedView] {
        let lake = workspace.repositories
        let user = environment.user
        // With the rows still waiting to join the log (a team store's read-only role), numbered after it.
        let rows = try storeCall { () throws(StoreError) in
            var rows: [AuditEntry] = []
            for action in [Self.saveAction, Self.deleteAction] {
                let filter = AuditFilter(actor: user, action: action, limit: Self.readLimit)
                rows += try lake.audit.auditEntries(filter) + lake.audit.ownPendingAuditEntries(filter)
            }
            return rows
        }
        let decoder = JSONDecoder()
        /// The row's view (nil for a deletion written before names were withheld) and the name it is under.
        func decoded(_ row: AuditEntry) -> (name: String, view: SavedView?)? {
            if row.target == Self.target {
                guard let reason = row.reason, reason.hasPrefix(Self.reasonPrefix),
                    let view = try? decoder.decode(SavedView.self, from: Data(reason.dropFirst(Self.reasonPrefix.count).utf8))
                else { return nil }
                return (view.name, view)
            }
            guard row.target.hasPrefix(Self.targetPrefix) else { return nil }
            var view = row.after.flatMap { try? decoder.decode(SavedView.self, from: Data($0.utf8)) }
            if view?.text == nil, let text = row.reason, !text.isEmpty { view?.text = text }
            return (String(row.target.dropFirst(Self.targetPrefix.count)), view)
        }
        var latest: [String: (id: Int64, action: String, view: SavedView?)] = [:]
        for row in rows where row.actor == user {
            guard let (name, view) = decoded(row) else { continue }
            if let known = latest[name], known.id > row.id.rawValue { continue }
            latest[name] = (row.id.rawValue, row.action, view)
        }
        return latest.values.filter { $0.action == Self.saveAction }.compactMap(\.view).sorted { $0.name < $1.name }
    }

    /// The user's view `name`.
    /// - Throws: `.notFound` naming the user's views.
    public func view(named name: String) throws(EngineError) -> SavedView {
        let views = try views()
        guard let view = views.first(where: { $0.name == name }) else {
            let known = views.isEmpty ? "you have none; save one with `:view save NAME` in the workbench" : "yours: " + views.map(\.name).joined(separator: ", ")
            throw EngineError(.notFound, "no saved view '\(name)' (\(known))")
        }
        return view
    }

    private func append(_ draft: AuditDraft) throws(EngineError) {
        let at = environment.timestamp
        try storeCall { () throws(StoreError) in _ = try workspace.repositories.audit.appendAudit(draft, at: at) }
    }
}
