import CDPCore
import CDPEngine
import CDPRepositories
import Foundation
import TermUI

/// The quarantine table's rows. A filter or sort change reads the matching ids once (one indexed
/// query); rows are then read one window at a time by id, so paging and jumping to the end cost one
/// primary-key read of 64 rows whatever the position. Free text filters in memory over a
/// ``QuarantineSearchIndex`` built in the background, so typing after `/` never scans the table.
final class QuarantineTableSource: TableDataSource {
    static let windowSize = 64

    /// Reads masked for the steward; replaced when the dictionary's tags change.
    var reader: LakeReader
    var theme: Theme
    /// The console's clock, for each record's age.
    let now: @Sendable () -> Double
    /// The steward's previous visit to the workbench (ISO 8601 UTC): records held since are marked new (★).
    var newSince: String?
    /// Who holds which record (claims and assignments), by record id, as last read.
    private(set) var holds: [Int64: WorkClaim] = [:]
    /// Whose records are shown; the steward is ``user``.
    private(set) var ownerFilter = OwnerFilter.everyone
    var user = ""
    private(set) var filter = QuarantineFilter()
    private(set) var sort: TableSort?
    var rowCount: Int { ids.count }

    /// Ids matching the filter without its text, in table order.
    private var baseIDs: [Int64] = []
    private var baseKey: BaseKey?
    /// Ids shown: `baseIDs` narrowed by the text.
    private var ids: [Int64] = []
    /// The last text search, to narrow from when the text grows.
    private var lastSearch: (text: String, positions: [Int32])?

    private var search: BackgroundRead<QuarantineSearchIndex, EngineError>?
    /// The last windows read, most recent last: a viewport straddling two windows must not re-read
    /// one of them on every frame.
    private var windows: [(start: Int, records: [QuarantineRecord])] = []
    static let windowsKept = 3
    /// Store reads so far (for tests and the benchmark: it must stay proportional to rows shown).
    private(set) var fetches = 0
    private(set) var lastError: String?
    /// Records held in memory now (at most ``windowsKept`` windows).
    var cachedRowCount: Int { windows.reduce(0) { $0 + $1.records.count } }

    private struct BaseKey: Equatable {
        var source: SourceName?
        var rule: String?
        var statuses: [QuarantineStatus]
        var heldAfter: String?
        var sort: TableSort?
    }

    /// Rows marked for a bulk action, by record id (they stay marked across filters until acted on).
    private(set) var marked = Set<Int64>()
    var markedCount: Int { marked.count }
    /// The marked ids, ascending.
    var markedIDs: [Int64] { marked.sorted() }
    /// The ids shown, in table order.
    var shownIDs: [Int64] { ids }

    func id(at row: Int) -> Int64? { ids.indices.contains(row) ? ids[row] : nil }

    /// Takes the holds read and whose records to show; narrows the rows shown at once (no store read).
    func setHolds(_ holds: [Int64: WorkClaim], filter: OwnerFilter) {
        self.holds = holds
        ownerFilter = filter
        applyText()
        // The rows shown changed: the windows read were of the rows before.
        windows = []
    }

    /// The hold on a record; nil when nobody holds it.
    func hold(on id: Int64) -> WorkClaim? { holds[id] }

    /// The record `step` rows from `id` in the table's order (the Record view's `J`/`K`); nil past either end
    /// or when `id` is no longer shown.
    func neighbour(of id: QuarantineID, _ step: Int) -> QuarantineID? {
        guard let index = ids.firstIndex(of: id.rawValue), ids.indices.contains(index + step) else { return nil }
        return QuarantineID(ids[index + step])
    }

    func toggleMark(_ id: Int64) {
        if marked.remove(id) == nil { marked.insert(id) }
    }

    /// Marks the rows in `rows`; returns how many are marked in all.
    @discardableResult
    func mark(rows: ClosedRange<Int>) -> Int {
        for row in rows where ids.indices.contains(row) { marked.insert(ids[row]) }
        return marked.count
    }

    func markAllShown() { marked.formUnion(ids) }
    var allShownMarked: Bool { ids.allSatisfy { marked.contains($0) } }
    func clearMarks() { marked = [] }

    /// The column showing ✓ on marked rows.
    static let markColumn = "mark"

    /// The column naming who holds the record (`*`: a claim, which lapses), shown last once anyone holds one.
    static let ownerColumn = TableColumn(id: QuarantineViewColumn.owner.rawValue, title: "owner", width: .length(8))

    /// The columns shown: ``columns``, and the owner column while anyone holds a record (before that it would
    /// only take room from the values).
    var displayedColumns: [TableColumn] { holds.isEmpty ? Self.columns : Self.columns + [Self.ownerColumn] }

    /// The mark column, then the engine's view columns (``QuarantineViewColumn``), in its order.
    static let columns = [TableColumn(id: markColumn, title: "✓", width: .length(1))]
        + QuarantineViewColumn.standard.map { column in
            let width: Constraint
            switch column {
            case .id: width = .length(6)
            case .status: width = .length(8)
            case .line: width = .length(5)
            case .age: width = .length(7)
            case .source, .key: width = .fill(2)
            case .name, .rules, .value: width = .fill(3)
            case .problem: width = .fill(6)
            case .owner: width = .length(8)
            }
            return TableColumn(
                id: column.rawValue, title: column.title, width: width, alignment: column == .line || column == .age ? .right : .left)
        }


    init(reader: LakeReader, theme: Theme, now: @escaping @Sendable () -> Double) {
        self.reader = reader
        self.theme = theme
        self.now = now
    }

    /// Starts reading the search text in the background (the workbench calls it when first shown).
    func prepareSearch() {
        if search == nil {
            let reader = self.reader
            search = BackgroundRead { () throws(EngineError) in try QuarantineSearchIndex(reader: reader) }
        }
    }

    /// Sets the filter and sort: re-reads the ids only when more than the text changed.
    func reload(filter: QuarantineFilter, sort: TableSort?) {
        self.filter = filter
        self.sort = sort
        windows = []
        let key = BaseKey(source: filter.source, rule: filter.rule, statuses: filter.statuses, heldAfter: filter.heldAfter, sort: sort)
        if key == baseKey {
            // Back to what is shown: a read still under way for another filter must not land later.
            pendingBase = nil
        } else if let pendingBase, pendingBase.key == key {
            // Already being read.
        } else {
            var base = filter
            base.text = nil
            let order = sort.flatMap { QuarantineOrder(rawValue: $0.columnID) } ?? .id
            let ascending = sort?.ascending ?? true
            if order == .id && filter.rule == nil && filter.heldAfter == nil {
                // Index ranges only: quick enough for the key path.
                pendingBase = nil
                takeBase(Result { () throws(EngineError) in try reader.quarantineIDs(base, order: order, ascending: ascending) }, key: key)
            } else {
                // A rule (LIKE) or a sort on another column reads every matching row: in the background,
                // keeping the rows shown until it is done (small lakes finish within the short wait).
                let reader = self.reader
                let baseFilter = base
                let read = BackgroundRead { () throws(EngineError) in try reader.quarantineIDs(baseFilter, order: order, ascending: ascending) }
                pendingBase = (key, read)
                if let result = read.wait(timeout: Self.keyPathWait) {
                    pendingBase = nil
                    takeBase(result, key: key)
                }
            }
        }
        applyText()
    }

    /// How long a key waits for ids read in the background before showing "loading…".
    static let keyPathWait: TimeInterval = 0.01

    /// Ids being read in the background for a rule filter or a sort.
    private var pendingBase: (key: BaseKey, read: BackgroundRead<[Int64], EngineError>)?

    /// True while the rows for a new rule filter or sort are being read.
    var isLoading: Bool { pendingBase != nil }

    private func takeBase(_ result: Result<[Int64], EngineError>, key: BaseKey) {
        fetches += 1
        switch result {
        case .success(let ids):
            baseIDs = ids
            baseKey = key
            lastError = nil
        case .failure(let error):
            baseIDs = []
            baseKey = nil
            lastError = error.description
        }
    }

    /// Applies ids read in the background once they are there; returns whether the rows changed.
    @discardableResult
    func applyPendingBase() -> Bool {
        guard let pending = pendingBase, let result = pending.read.result else { return false }
        pendingBase = nil
        takeBase(result, key: pending.key)
        windows = []
        applyText()
        return true
    }

    /// Waits for ids being read in the background (tests).
    func waitForPendingBase() {
        _ = pendingBase?.read.wait()
    }

    /// Waits up to `timeout` for ids being read in the background and takes them; returns whether none is
    /// still being read (so `rowCount` counts the rows of the filter just set).
    @discardableResult
    func awaitPendingBase(timeout: TimeInterval) -> Bool {
        guard let pending = pendingBase else { return true }
        guard pending.read.wait(timeout: timeout) != nil else { return false }
        applyPendingBase()
        return true
    }

    /// Drops everything read (after an action changed records): ids, window and search text.
    /// - Parameter searchTextAtOnce: read the search text again now, in the background (after the steward's own
    ///   action); false reads it only once free text needs it (after another steward's change, which may come every
    ///   half second: on the team store the read would hold the lake's one session from the next look).
    func reload(searchTextAtOnce: Bool = true) {
        baseKey = nil
        search = nil
        lastSearch = nil
        if searchTextAtOnce || !(filter.text ?? "").isEmpty { prepareSearch() }
        reload(filter: filter, sort: sort)
    }

    /// True while free text waits for the search text being read in the background (only right after
    /// the workbench opened or records changed): the table keeps its rows until then, keys stay live.
    private(set) var isSearching = false

    /// Applies free text that was waiting for the search text, once it is there. Returns whether the
    /// rows changed. Called before each frame and on ticks; never waits.
    @discardableResult
    func applyPendingSearch() -> Bool {
        guard isSearching, search?.result != nil else { return false }
        applyText()
        windows = []
        return true
    }

    /// Free text is waiting and the search text has arrived, or ids read in the background have.
    var hasSearchToApply: Bool { (isSearching && search?.result != nil) || pendingBase?.read.result != nil }

    /// Waits for the search text (tests).
    func waitForSearch() {
        _ = search?.wait()
    }

    private func applyText() {
        applyTextFilter()
        if ownerFilter != .everyone {
            let holds = self.holds, user = self.user, filter = ownerFilter
            ids = ids.filter { filter.admits(holds[$0], user: user) }
        }
    }

    private func applyTextFilter() {
        isSearching = false
        guard let text = filter.text, !text.isEmpty else {
            ids = baseIDs
            return
        }
        prepareSearch()
        guard let pending = search else { return }
        guard let result = pending.result else {
            isSearching = true
            return
        }
        switch result {
        case .failure(let error):
            ids = []
            lastError = error.description
        case .success(let index):
            var candidates: [Int32]?
            if let lastSearch, text.lowercased().contains(lastSearch.text.lowercased()) { candidates = lastSearch.positions }
            let positions = index.positions(matching: text, within: candidates)
            lastSearch = (text, positions)
            // Keep the table's order: mark matching ids, then walk the base list.
            var bits = [UInt64](repeating: 0, count: Int(max(0, index.ids.last ?? 0) / 64) + 1)
            for position in positions {
                let id = Int(index.ids[Int(position)])
                bits[id >> 6] |= 1 << UInt64(id & 63)
            }
            ids = baseIDs.filter { id in
                let word = Int(id >> 6)
                return id >= 0 && word < bits.count && bits[word] & (1 << UInt64(id & 63)) != 0
            }
        }
    }

    func record(at row: Int) -> QuarantineRecord? {
        guard row >= 0, row < rowCount else { return nil }
        let start = row / Self.windowSize * Self.windowSize
        let records: [QuarantineRecord]
        if let index = windows.lastIndex(where: { $0.start == start }) {
            records = windows[index].records
            if index != windows.count - 1 { windows.append(windows.remove(at: index)) }
        } else {
            records = fetchWindow(start: start)
        }
        let index = row - start
        return records.indices.contains(index) ? records[index] : nil
    }

    private func fetchWindow(start: Int) -> [QuarantineRecord] {
        fetches += 1
        do {
            let slice = ids[start..<min(ids.count, start + Self.windowSize)]
            let records = try reader.quarantineRecords(ids: slice.map { QuarantineID($0) })
            windows.append((start, records))
            if windows.count > Self.windowsKept { windows.removeFirst() }
            lastError = nil
            return records
        } catch {
            lastError = error.description
            return []
        }
    }

    static func name(of record: QuarantineRecord) -> String { QuarantineViewColumn.name(of: record) }

    /// Each column's text is the engine's (what an export of the view writes); the console adds the styles.
    func cells(forRow row: Int) -> [Line] {
        guard let record = record(at: row) else { return [] }
        let now = self.now()
        return [Line(marked.contains(record.id.rawValue) ? "✓" : " ", style: theme[.success])]
            + QuarantineViewColumn.standard.map { column in
                let text = column.text(record, now: now)
                switch column {
                case .id: return Line(text, style: theme[.accent])
                case .status: return Line(text, style: Self.style(record.status, theme))
                case .name, .value: return Line(text, style: theme[.pii])
                case .line, .problem: return Line(text, style: theme[.muted])
                case .age: return isNew(record) ? Line("★ " + text, style: theme[.accent]) : Line(text, style: theme[.muted])
                case .source, .key, .rules, .owner: return Line(text)
                }
            } + (holds.isEmpty ? [] : [WorkActions.ownerCell(holds[record.id.rawValue], app: user, theme: theme)])
    }

    /// Held after the steward's previous visit.
    func isNew(_ record: QuarantineRecord) -> Bool {
        newSince.map { record.createdAt > $0 } ?? false
    }

    static func style(_ status: QuarantineStatus, _ theme: Theme) -> Style {
        switch status {
        case .open: return theme[.warning]
        case .fixed: return theme[.success]
        case .released: return theme[.muted]
        case .rejected: return theme[.error]
        }
    }
}
