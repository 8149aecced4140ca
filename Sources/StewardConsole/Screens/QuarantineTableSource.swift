import CDPCore
import CDPStore
import TermUI

/// The quarantine table's rows, fetched from the lake one window at a time: only the rows the
/// table shows are read and formatted, so a million held records cost what thirty do.
final class QuarantineTableSource: TableDataSource {
    static let windowSize = 64

    let store: LakeStore
    var theme: Theme
    private(set) var filter = LakeStore.QuarantineFilter()
    private(set) var sort: TableSort?
    private(set) var rowCount = 0
    private var windowStart = 0
    private var window: [QuarantineRecord] = []
    /// Store reads so far (for tests and the benchmark: it must stay proportional to rows shown).
    private(set) var fetches = 0
    private(set) var lastError: String?
    /// Records held in memory now (one window).
    var cachedRowCount: Int { window.count }

    static let columns = [
        TableColumn(id: "id", title: "id", width: .length(6)),
        TableColumn(id: "status", title: "status", width: .length(8)),
        TableColumn(id: "source", title: "source", width: .fill(2)),
        TableColumn(id: "key", title: "key", width: .fill(2)),
        TableColumn(id: "name", title: "name", width: .fill(3)),
        TableColumn(id: "line", title: "line", width: .length(5), alignment: .right),
        TableColumn(id: "rules", title: "rules", width: .fill(3)),
        TableColumn(id: "problem", title: "first problem", width: .fill(6)),
    ]

    init(store: LakeStore, theme: Theme) {
        self.store = store
        self.theme = theme
    }

    /// Sets the filter and sort and re-counts.
    func reload(filter: LakeStore.QuarantineFilter, sort: TableSort?) {
        self.filter = filter
        self.sort = sort
        reload()
    }

    /// Re-counts and drops the cached window (after an action changed records).
    func reload() {
        window = []
        do {
            rowCount = try store.quarantineCount(filter)
            fetches += 1
            lastError = nil
        } catch {
            rowCount = 0
            lastError = error.description
        }
    }

    func record(at row: Int) -> QuarantineRecord? {
        guard row >= 0, row < rowCount else { return nil }
        if !(windowStart..<(windowStart + window.count)).contains(row) {
            fetchWindow(containing: row)
        }
        let index = row - windowStart
        return window.indices.contains(index) ? window[index] : nil
    }

    private func fetchWindow(containing row: Int) {
        let start = row / Self.windowSize * Self.windowSize
        windowStart = start
        fetches += 1
        do {
            if let sort, sort.columnID != "id" || !sort.ascending {
                window = try sortedWindow(start: start, sort: sort)
            } else {
                var windowFilter = filter
                windowFilter.limit = Self.windowSize
                windowFilter.offset = start
                window = try store.quarantineRecords(windowFilter)
            }
            lastError = nil
        } catch {
            window = []
            lastError = String(describing: error)
        }
    }

    /// A window in another order than the store's: ids through a read-only query, then each record.
    private func sortedWindow(start: Int, sort: TableSort) throws(StoreError) -> [QuarantineRecord] {
        let direction = sort.ascending ? "ASC" : "DESC"
        let sql = "SELECT id FROM quarantine_record \(Self.whereSQL(filter)) ORDER BY \(Self.orderSQL(sort.columnID)) \(direction), id \(direction) LIMIT \(Self.windowSize) OFFSET \(start)"
        let ids = try store.query(sql, limit: Self.windowSize).rows.compactMap { ($0.first ?? nil).flatMap { Int64($0) } }
        var records: [QuarantineRecord] = []
        for id in ids {
            if let record = try store.quarantineRecord(QuarantineID(id)) { records.append(record) }
        }
        return records
    }

    static func orderSQL(_ column: String) -> String {
        switch column {
        case "status": return "status"
        case "source": return "source"
        case "key": return "source_key"
        case "name": return "json_extract(fields, '$.last_name')"
        case "line": return "line"
        case "rules": return "rules"
        case "problem": return "failures"
        default: return "id"
        }
    }

    /// The same conditions as the store's filter, as SQL text with quoted literals.
    static func whereSQL(_ filter: LakeStore.QuarantineFilter) -> String {
        func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
        var clauses: [String] = []
        if let source = filter.source { clauses.append("source = \(quote(source.rawValue))") }
        if let rule = filter.rule { clauses.append("rules LIKE \(quote("%,\(rule),%"))") }
        if !filter.statuses.isEmpty { clauses.append("status IN (\(filter.statuses.map { quote($0.rawValue) }.joined(separator: ",")))") }
        if let text = filter.text, !text.isEmpty {
            let pattern = quote("%\(text)%")
            clauses.append("(source_key LIKE \(pattern) OR fields LIKE \(pattern) OR failures LIKE \(pattern))")
        }
        return clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
    }

    static func name(of record: QuarantineRecord) -> String {
        if let full = record.fields["full_name"] ?? record.fields["name"], !full.isEmpty { return full }
        return [record.fields["first_name"], record.fields["last_name"]].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
    }

    func cells(forRow row: Int) -> [Line] {
        guard let record = record(at: row) else { return [] }
        return [
            Line(record.id.description, style: theme[.accent]),
            Line(record.status.rawValue, style: Self.style(record.status, theme)),
            Line(record.source.rawValue),
            Line(record.sourceKey),
            Line(Self.name(of: record), style: theme[.pii]),
            Line(String(record.line), style: theme[.muted]),
            Line(record.ruleNames.joined(separator: ",")),
            Line(record.failures.first.map { "\($0.field.map { "\($0): " } ?? "")\($0.message)" } ?? "", style: theme[.muted]),
        ]
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
