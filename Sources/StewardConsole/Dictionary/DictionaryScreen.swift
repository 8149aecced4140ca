import CDPCore
import CDPEngine
import TermUI

/// The data dictionary, layer by layer. `/` filters by text and `layer:` `tag:` `class:` terms, `l` steps
/// through the layers, `m` shows only the gaps (no description or classification); Enter opens an
/// entry, `e` edits it, `h` shows its versions, `s` suggests from the lake's data.
final class DictionaryScreen: TableScreen, BackgroundRefreshing {
    private var entries: [DictionaryVersion] = []
    private var shown: [DictionaryVersion] = []
    var state = TableState()
    var tableArea: Rect?
    private var query = DictionaryQuery()
    private var gapsOnly = false
    private var error: String?
    /// The entries, read in the background each time the screen shows (a key never waits for the lake).
    let refresh = BackgroundRefresh<[DictionaryVersion]>()

    var title: String {
        let gaps = entries.filter { !$0.entry.missingEssentials.isEmpty }.count
        let filter = query.text.isEmpty ? "" : " · \(query.text)"
        return "Data dictionary · \(shown.count) of \(entries.count) entries · \(gaps) gaps" + (gapsOnly ? " · gaps only" : "") + filter
            + (state.position(of: shown.count).map { " · \($0)" } ?? "")
    }

    var actions: [ConsoleAction] {
        NavigationActions.list + [
            NavigationActions.filter,
            ConsoleAction("open-entry", keys: [KeyEvent(.enter)], help: "Show the entry whole", group: "Dictionary"),
            ConsoleAction("edit-entry", keys: [.char("e")], help: "Edit the entry (needs edit_dictionary)", group: "Dictionary"),
            ConsoleAction("entry-history", keys: [.char("h")], help: "The entry's versions; diff two", group: "Dictionary"),
            ConsoleAction("suggest", keys: [.char("s")], help: "Suggest from the column's data", group: "Dictionary"),
            ConsoleAction(
                "gaps", keys: [.char("m")], help: "Only entries missing a description or classification (again: all)", group: "Dictionary"),
            ConsoleAction(
                "next-layer", keys: [.char("l")], help: "Only the next layer (bronze, silver, quarantine, gold, all)", group: "Dictionary"),
            ConsoleAction("clear-filters", keys: [.char("c")], help: "Clear every filter", group: "Dictionary"),
        ]
    }

    var filterText: String? { query.text }

    func applyFilter(_ text: String, app: ConsoleApp) {
        query = DictionaryQuery(parsing: text)
        applyFilter()
        state.selectFirst()
    }

    func activate(app: ConsoleApp) {
        let dictionary = app.dictionary
        refresh.restart { () throws(EngineError) in try dictionary.entries() }
        refresh.waitForFirst()
        show()
    }

    /// Shows the last read through the filters.
    func show() {
        if let failure = refresh.failure {
            error = failure.description
        } else if let read = refresh.value {
            entries = read
            error = nil
        }
        applyFilter()
    }

    private func applyFilter() {
        let kept = selected?.key
        let matching = entries.filter { (!gapsOnly || !$0.entry.missingEssentials.isEmpty) && query.matches($0.entry) }
        // Entries named by the text come before those that only mention it (a source field's description
        // names the silver column it feeds).
        let named = matching.filter { query.names($0.entry) }
        shown = named + matching.filter { !query.names($0.entry) }
        if let kept, let index = shown.firstIndex(where: { $0.key == kept }) { state.select(index) }
    }

    private var selected: DictionaryVersion? {
        state.selection.selected.flatMap { shown.indices.contains($0) ? shown[$0] : nil }
    }

    func perform(_ action: String, app: ConsoleApp) -> Bool {
        if NavigationActions.apply(action, to: &state.selection) { return true }
        switch action {
        case "open-entry":
            if let entry = selected { app.push(DictionaryEntryScreen(key: entry.key)) }
        case "edit-entry":
            if let entry = selected { DictionaryActions.edit(entry.key, app: app) }
        case "entry-history":
            if let entry = selected { app.push(DictionaryHistoryScreen(key: entry.key)) }
        case "suggest":
            if let entry = selected { DictionaryActions.suggest(entry.key, app: app) }
        case "gaps":
            gapsOnly.toggle()
            applyFilter()
            state.selectFirst()
        case "next-layer":
            let layers: [DictionaryLayer?] = DictionaryLayer.allCases + [nil]
            let index = layers.firstIndex(of: query.layer) ?? layers.count - 1
            query.layer = layers[(index + 1) % layers.count]
            applyFilter()
            state.selectFirst()
        case "clear-filters":
            query = DictionaryQuery()
            gapsOnly = false
            applyFilter()
        default: return false
        }
        return true
    }

    static let columns = [
        TableColumn(id: "entry", title: "entry", width: .fill(3)),
        TableColumn(id: "layer", title: "layer", width: .length(10)),
        TableColumn(id: "type", title: "type", width: .length(7)),
        TableColumn(id: "class", title: "class", width: .length(12)),
        TableColumn(id: "tags", title: "tags", width: .length(13)),
        TableColumn(id: "description", title: "description", width: .fill(2)),
    ]

    func render(in area: Rect, frame: inout Frame, app: ConsoleApp) {
        let theme = app.theme
        if let error {
            frame.renderFailure(error, in: area, theme: theme)
            return
        }
        let shown = self.shown
        let rows = LazyTableDataSource(rowCount: shown.count) { index -> [Line] in
            let entry = shown[index].entry
            let personal = entry.personalKind != nil
            return [
                Line(entry.key.description, style: entry.key.isDataset ? theme[.header] : theme[.text]),
                Line(entry.layer.rawValue, style: theme[.muted]),
                Line(entry.dataType, style: theme[.muted]),
                entry.classification.map { Line($0.rawValue, style: $0 >= .confidential ? theme[.warning] : theme[.text]) }
                    ?? Line("— gap", style: theme[.error]),
                Line(entry.tags.joined(separator: ","), style: personal ? theme[.pii] : theme[.muted]),
                entry.description.isEmpty ? Line("— gap", style: theme[.error]) : Line(entry.description),
            ]
        }
        let table = Table(
            columns: Self.columns, dataSource: rows, style: theme[.text], headerStyle: theme[.header],
            selectedStyle: theme[.selection], highlightSymbol: "▌",
            emptyMessage: gapsOnly ? "no gaps: every entry has a description and a classification" : "no entries match", fitsContent: true)
        frame.render(table, in: area, state: &state)
        tableArea = area
    }
}

/// What the dictionary screen filters on: `layer:gold tag:PII class:restricted` plus free text.
struct DictionaryQuery: Equatable {
    var layer: DictionaryLayer?
    /// A tag or tag prefix (`PII` matches `PII.Email`).
    var tag: String?
    var classification: String?
    var freeText = ""

    init() {}

    init(parsing text: String) {
        var words: [Substring] = []
        for word in text.split(separator: " ") {
            if word.hasPrefix("layer:"), let layer = DictionaryLayer(rawValue: String(word.dropFirst(6)).lowercased()) {
                self.layer = layer
            } else if word.hasPrefix("tag:") {
                tag = String(word.dropFirst(4))
            } else if word.hasPrefix("class:") {
                classification = String(word.dropFirst(6)).lowercased()
            } else {
                words.append(word)
            }
        }
        freeText = words.joined(separator: " ")
    }

    /// The query as typed, for `/` to start from.
    var text: String {
        ([layer.map { "layer:\($0.rawValue)" }, tag.map { "tag:\($0)" }, classification.map { "class:\($0)" }].compactMap { $0 }
            + (freeText.isEmpty ? [] : [freeText])).joined(separator: " ")
    }

    /// Whether the free text is in the entry's name (`silver_customer.email`).
    func names(_ entry: DictionaryEntry) -> Bool {
        !freeText.isEmpty && entry.key.description.localizedCaseInsensitiveContains(freeText)
    }

    func matches(_ entry: DictionaryEntry) -> Bool {
        if let layer, entry.layer != layer { return false }
        if let tag, !entry.tags.contains(where: { $0.lowercased().hasPrefix(tag.lowercased()) }) { return false }
        if let classification, entry.classification?.rawValue != classification { return false }
        guard !freeText.isEmpty else { return true }
        return [entry.key.description, entry.description, entry.tags.joined(separator: " "), entry.owner ?? "", entry.steward ?? ""]
            .contains { $0.localizedCaseInsensitiveContains(freeText) }
    }
}

/// What the dictionary's screens share: opening the editor (after the engine agrees) and a suggestion.
enum DictionaryActions {
    /// Opens the edit form once the engine has checked the permission; a refusal is audited and shown.
    static func edit(_ key: DictionaryKey, app: ConsoleApp) {
        do {
            try app.dictionary.authorizeEdit(key)
            let reference = DictionaryReference(parsing: key.description, layer: key.layer)
            app.push(DictionaryEditScreen(original: try app.dictionary.entry(reference)))
        } catch {
            app.report(error)
        }
    }

    /// Profiles the column and shows what its data suggests.
    static func suggest(_ key: DictionaryKey, app: ConsoleApp) {
        do {
            let suggestion = try app.dictionary.suggest(DictionaryReference(parsing: key.description, layer: key.layer))
            app.push(DictionarySuggestScreen(suggestion: suggestion))
        } catch {
            app.report(error)
        }
    }
}
