import CDPCore
import CDPRepositories

/// The file formats `cdp export` writes.
public enum ExportFormat: String, CaseIterable, Sendable {
    /// RFC 4180 through ``CSVWriter``: a header line, fields quoted only when they hold a comma, a quote or a
    /// line break, text a spreadsheet would run as a formula prefixed with `'`.
    case csv
    /// One array of objects, keys in column order, each value as SQLite stored it: numbers as numbers, text
    /// as strings, missing values as `null`.
    case json
    /// A Markdown table, for documentation and tickets.
    case md
}

extension Workspace {
    /// Writes one table or view of the lake, whole, in `format`. Without `view_pii` a dataset holding
    /// personal columns is read through its masked view (`customer_360` as `customer_360_masked`: the same
    /// columns, personal values masked). Rows are read and written in batches, so a million-row table never
    /// sits in memory.
    /// - Parameter write: receives the text in chunks, in order.
    /// - Returns: the number of rows written.
    /// - Throws: `.notFound` naming the datasets there are; whatever `write` throws.
    /// Audited as `lake.export` (the dataset read, its row count and format) once written whole.
    @discardableResult
    public func export(
        _ dataset: String, format: ExportFormat, as environment: Environment, to write: (String) throws -> Void
    ) throws(EngineError) -> Int {
        let datasets = try queryableDatasets(as: environment)
        guard let found = datasets.first(where: { $0.name.caseInsensitiveCompare(dataset) == .orderedSame }) else {
            throw EngineError(
                .notFound, "no table or view '\(dataset)' in the lake; there are: \(datasets.map(\.name).joined(separator: ", "))")
        }
        let name = principal(environment).may(.viewPII) ? found.name : (found.masked ?? found.name)
        var writer = ExportWriter(format: format)
        var count = 0
        try streamQuery("SELECT * FROM \"\(name)\"", as: environment) { columns in
            try write(writer.header(columns))
        } rows: { batch in
            try write(writer.rows(batch))
            count += batch.count
            return true
        }
        do { try write(writer.footer()) } catch { throw EngineError(.input, "export failed: \(error)") }
        // A whole dataset leaving the lake is audited, as a quarantine export is: with view_pii it carries every
        // personal value of the dataset.
        let draft = AuditDraft(
            actor: environment.user, action: "lake.export", target: name,
            after: "\(count) rows as \(format.rawValue)\(name == found.name ? "" : " (masked)")")
        try storeCall { () throws(StoreError) in try appendAuditEvenIfReadOnly(draft, at: environment.timestamp) }
        return count
    }
}

/// Turns a result's header and row batches into the text of one export format; `cdp query --format csv|json`
/// writes through it too, so an export and a query spell a value alike.
public struct ExportWriter {
    public let format: ExportFormat
    private var columns: [String] = []
    private var wroteRow = false

    public init(format: ExportFormat) {
        self.format = format
    }

    public mutating func header(_ columns: [String]) -> String {
        self.columns = columns
        switch format {
        case .csv: return CSVWriter.line(columns)
        case .json: return "["
        case .md:
            return "| " + columns.map(Self.markdownCell).joined(separator: " | ") + " |\n"
                + "|" + String(repeating: " --- |", count: columns.count) + "\n"
        }
    }

    public mutating func rows(_ rows: [[CellValue]]) -> String {
        var text = ""
        text.reserveCapacity(rows.count * max(columns.count, 1) * 12)
        for row in rows {
            switch format {
            case .csv:
                text += CSVWriter.line(row)
            case .json:
                text += wroteRow ? ",\n  {" : "\n  {"
                for (index, value) in row.enumerated() {
                    if index > 0 { text += ", " }
                    JSONString.appendQuoted(index < columns.count ? columns[index] : "column\(index + 1)", to: &text)
                    text += ": "
                    value.appendJSON(to: &text)
                }
                text += "}"
            case .md:
                text += "| " + row.map { $0.text.map(Self.markdownCell) ?? "" }.joined(separator: " | ") + " |\n"
            }
            wroteRow = true
        }
        return text
    }

    public func footer() -> String {
        format == .json ? (wroteRow ? "\n]\n" : "]\n") : ""
    }

    static func markdownCell(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "|", with: "\\|")
            .replacingOccurrences(of: "\r\n", with: "<br>").replacingOccurrences(of: "\n", with: "<br>")
            .replacingOccurrences(of: "\r", with: "<br>")
    }
}
