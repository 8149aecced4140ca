import CDPCore
import CDPEngine
import CDPRepositories
import TermUI

/// The audit log, newest first; read-only. `/` takes free text and `user:` `action:` `target:` terms;
/// `u` `a` `t` filter on the selected row's user, action or target, `c` clears; Enter shows one entry whole.
/// The title says whether the hash chain holds. The log and the chain's check are read in the background when the
/// screen shows (checking the chain reads every row; a revisit within 2 s shows the last read unless the console changed
/// the lake since): the keys never wait for them.
final class AuditScreen: TableScreen {
    private var entries: [AuditEntry] = []
    private var shown: [AuditEntry] = []
    var state = TableState()
    var tableArea: Rect?
    private var query = AuditQuery()
    private var chainProblems: [String] = []
    private var error: String?
    /// The read under way; nil once taken.
    private var read: BackgroundRead<(entries: [AuditEntry], problems: [String]), EngineError>?
    /// Whether a read has been taken since the screen opened (before, the title says it is reading).
    private var loaded = false

    /// Opens on one target's history (a record's detail jumps here with `target:Q12`).
    init(target: String? = nil) {
        query.target = target
    }

    var title: String {
        guard loaded else { return "Audit log · reading…" }
        let chain = chainProblems.isEmpty ? "chain intact" : "CHAIN BROKEN: \(chainProblems[0])"
        let filter = query.summary.isEmpty ? "" : " · \(query.summary)"
        return "Audit log · \(shown.count) of \(entries.count) newest\(filter)" + (state.position(of: shown.count).map { " · \($0)" } ?? "") + " · \(chain)"
    }

    var actions: [ConsoleAction] {
        NavigationActions.list + [
            NavigationActions.filter,
            ConsoleAction("open-entry", keys: [KeyEvent(.enter)], help: "Show the entry whole", group: "Audit"),
            ConsoleAction("filter-user", keys: [.char("u")], help: "Only the selected row's user (again: any user)", group: "Audit"),
            ConsoleAction("filter-action", keys: [.char("a")], help: "Only the selected row's action (again: any)", group: "Audit"),
            ConsoleAction("filter-target", keys: [.char("t")], help: "Only the selected row's target: its history", group: "Audit"),
            ConsoleAction("clear-filters", keys: [.char("c")], help: "Clear every filter", group: "Audit"),
        ]
    }

    var filterText: String? { query.text }

    func applyFilter(_ text: String, app: ConsoleApp) {
        query = AuditQuery(parsing: text)
        applyFilter()
        state.selectFirst()
    }

    private func applyFilter() {
        shown = entries.filter(query.matches)
    }

    /// When the last read started (the console's clock) and at which of the console's data generations.
    private var lastRead: (at: Double, generation: Int)?
    /// A revisit sooner than this after the last read, with nothing changed by the console since, shows that read:
    /// each read checks the whole chain, and a steward flipping tabs while a bulk release writes would otherwise
    /// check it on every visit, taking CPU from the release.
    static let rereadInterval: Double = 2

    func activate(app: ConsoleApp) {
        guard read == nil else { return }
        let now = app.environment.now()
        if let lastRead, lastRead.generation == app.dataGeneration, (lastRead.at..<(lastRead.at + Self.rereadInterval)).contains(now) {
            return
        }
        lastRead = (now, app.dataGeneration)
        let reader = app.reader
        read = BackgroundRead { () throws(EngineError) in
            (try reader.auditEntries(AuditFilter(limit: 5000)), try reader.auditChainProblems())
        }
    }

    /// Takes the background read once it is done (never waits).
    func willRender(app: ConsoleApp) {
        guard let result = read?.result else { return }
        take(result)
    }

    func tick(app: ConsoleApp) -> Bool {
        guard read?.result != nil else { return false }
        willRender(app: app)
        return true
    }

    /// Waits for the read under way and takes it (tests).
    func waitForRead() {
        guard let read else { return }
        take(read.wait())
    }

    private func take(_ result: Result<(entries: [AuditEntry], problems: [String]), EngineError>) {
        read = nil
        switch result {
        case .success(let read):
            entries = read.entries
            chainProblems = read.problems
            error = nil
        case .failure(let failure):
            error = failure.description
        }
        let first = !loaded
        loaded = true
        applyFilter()
        if first { state.selectFirst() }
    }

    private var selected: AuditEntry? {
        state.selection.selected.flatMap { shown.indices.contains($0) ? shown[$0] : nil }
    }

    func perform(_ action: String, app: ConsoleApp) -> Bool {
        if NavigationActions.apply(action, to: &state.selection) { return true }
        switch action {
        case "open-entry":
            guard let entry = selected else { return true }
            app.push(AuditEntryScreen(entry: entry))
        case "filter-user": toggle(\.user, selected?.actor)
        case "filter-action": toggle(\.action, selected?.action)
        case "filter-target": toggle(\.target, selected?.target)
        case "clear-filters":
            query = AuditQuery()
            applyFilter()
        default: return false
        }
        return true
    }

    private func toggle(_ term: WritableKeyPath<AuditQuery, String?>, _ value: String?) {
        query[keyPath: term] = query[keyPath: term] == nil ? value : nil
        applyFilter()
        state.selectFirst()
    }

    static let columns = [
        TableColumn(id: "id", title: "id", width: .length(6)),
        TableColumn(id: "at", title: "at", width: .length(17)),
        TableColumn(id: "actor", title: "actor", width: .length(10)),
        TableColumn(id: "action", title: "action", width: .length(20)),
        TableColumn(id: "target", title: "target", width: .length(14)),
        TableColumn(id: "change", title: "change", width: .fill(1)),
    ]

    func render(in area: Rect, frame: inout Frame, app: ConsoleApp) {
        let theme = app.theme
        if let error {
            frame.renderFailure(error, in: area, theme: theme)
            return
        }
        // Only the rows on screen are built: the log holds thousands of entries and a frame shows a page of them.
        let shown = self.shown
        let rows = LazyTableDataSource(rowCount: shown.count) { index -> [Line] in
            let entry = shown[index]
            var change: [Span] = []
            if let before = entry.before { change.append(Span(before, style: theme[.diffRemove])); change.append(Span(" → ")) }
            if let after = entry.after { change.append(Span(after, style: theme[.diffAdd])) }
            if let reason = entry.reason { change.append(Span("  reason: \(reason)", style: theme[.muted])) }
            return [
                Line(entry.id.description, style: theme[.muted]), Line(TimeText.short(entry.at)), Line(entry.actor, style: theme[.accent]),
                Line(entry.action, style: entry.action == "access.refused" ? theme[.error] : theme[.text]), Line(entry.target), Line(spans: change),
            ]
        }
        let table = Table(
            columns: Self.columns, dataSource: rows, style: theme[.text], headerStyle: theme[.header],
            selectedStyle: theme[.selection], highlightSymbol: "▌", emptyMessage: "no audit entries match", fitsContent: true)
        frame.render(table, in: area, state: &state)
        tableArea = area
    }
}

/// What the audit screen filters on: `user:sam action:quarantine.fix target:Q12` plus free text.
struct AuditQuery: Equatable {
    var user: String?
    var action: String?
    /// Exact target, or a prefix when it ends in `*` (`golden.*`, `Q1*`).
    var target: String?
    var freeText = ""

    init() {}

    init(parsing text: String) {
        var words: [Substring] = []
        for word in text.split(separator: " ") {
            if word.hasPrefix("user:") { user = String(word.dropFirst(5)) }
            else if word.hasPrefix("action:") { action = String(word.dropFirst(7)) }
            else if word.hasPrefix("target:") { target = String(word.dropFirst(7)) }
            else { words.append(word) }
        }
        freeText = words.joined(separator: " ")
    }

    /// The query as typed, for `/` to start from.
    var text: String {
        ([user.map { "user:\($0)" }, action.map { "action:\($0)" }, target.map { "target:\($0)" }].compactMap { $0 }
            + (freeText.isEmpty ? [] : [freeText])).joined(separator: " ")
    }

    var summary: String { text }

    func matches(_ entry: AuditEntry) -> Bool {
        if let user, entry.actor != user { return false }
        if let action, !(action.hasSuffix("*") ? entry.action.hasPrefix(action.dropLast()) : entry.action == action) { return false }
        if let target, !(target.hasSuffix("*") ? entry.target.hasPrefix(target.dropLast()) : entry.target == target) { return false }
        guard !freeText.isEmpty else { return true }
        return [entry.actor, entry.action, entry.target, entry.before ?? "", entry.after ?? "", entry.reason ?? ""]
            .contains { $0.localizedCaseInsensitiveContains(freeText) }
    }
}

/// One audit entry whole: before and after untruncated, and its place in the hash chain.
final class AuditEntryScreen: ConsoleScreen {
    let entry: AuditEntry
    private var view = TextViewState()

    init(entry: AuditEntry) { self.entry = entry }

    var title: String { "Audit \(entry.id) · \(entry.action) \(entry.target)" }

    var actions: [ConsoleAction] { NavigationActions.list }

    func perform(_ action: String, app: ConsoleApp) -> Bool {
        NavigationActions.apply(action, to: &view)
    }

    func render(in area: Rect, frame: inout Frame, app: ConsoleApp) {
        let theme = app.theme
        var lines = [
            Line(spans: [Span("who     ", style: theme[.muted]), Span(entry.actor, style: theme[.accent])]),
            Line(spans: [Span("when    ", style: theme[.muted]), Span(entry.at)]),
            Line(spans: [Span("action  ", style: theme[.muted]), Span(entry.action)]),
            Line(spans: [Span("target  ", style: theme[.muted]), Span(entry.target)]),
            Line(""),
            Line("before", style: theme[.header]),
            Line("  " + (entry.before ?? "∅"), style: theme[.diffRemove]),
            Line("after", style: theme[.header]),
            Line("  " + (entry.after ?? "∅"), style: theme[.diffAdd]),
        ]
        if let reason = entry.reason { lines += [Line("reason", style: theme[.header]), Line("  " + reason)] }
        lines += [
            Line(""),
            Line("hash chain", style: theme[.header]),
            Line("  previous \(entry.previousHash)", style: theme[.muted]),
            Line("  this     \(entry.hash)", style: theme[.muted]),
        ]
        frame.render(TextView(lines: lines, wrap: true), in: area, state: &view)
    }
}
