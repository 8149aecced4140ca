import CDPCore
import CDPStore

/// The file formats `cdp export` writes.
public enum ExportFormat: String, CaseIterable, Sendable {
    /// RFC 4180: a header line, fields quoted only when they hold a comma, a quote or a line break.
    case csv
    /// One array of objects, keys in column order, numbers of numeric columns as numbers, missing values as `null`.
    case json
    /// A Markdown table, for documentation and tickets.
    case md
}

extension Workspace {
    /// Writes one table or view of the lake, whole, in `format`, masked as ``query(_:limit:as:)`` masks.
    /// Rows are read and written in batches, so a million-row table never sits in memory.
    /// - Parameter write: receives the text in chunks, in order.
    /// - Returns: the number of rows written.
    /// - Throws: `.notFound` naming the tables there are; whatever `write` throws.
    @discardableResult
    public func export(
        _ dataset: String, format: ExportFormat, as environment: Environment, to write: (String) throws -> Void
    ) throws(EngineError) -> Int {
        let names = try storeCall { () throws(StoreError) in try store.datasetNames() }
        guard let name = names.first(where: { $0.caseInsensitiveCompare(dataset) == .orderedSame }) else {
            throw EngineError(.notFound, "no table or view '\(dataset)' in the lake; there are: \(names.joined(separator: ", "))")
        }
        var writer = ExportWriter(format: format)
        var count = 0
        try streamQuery("SELECT * FROM \"\(name)\"", as: environment) { columns, numeric in
            try write(writer.header(columns, numeric: numeric))
        } rows: { batch in
            try write(writer.rows(batch))
            count += batch.count
        }
        do { try write(writer.footer()) } catch { throw EngineError(.input, "export failed: \(error)") }
        return count
    }
}

/// Turns a result's header and row batches into the text of one export format.
struct ExportWriter {
    let format: ExportFormat
    private var columns: [String] = []
    private var numeric: [Bool] = []
    private var wroteRow = false

    init(format: ExportFormat) {
        self.format = format
    }

    mutating func header(_ columns: [String], numeric: [Bool]) -> String {
        self.columns = columns
        self.numeric = numeric
        switch format {
        case .csv: return columns.map(Self.csvField).joined(separator: ",") + "\n"
        case .json: return "["
        case .md:
            return "| " + columns.map(Self.markdownCell).joined(separator: " | ") + " |\n"
                + "|" + String(repeating: " --- |", count: columns.count) + "\n"
        }
    }

    mutating func rows(_ rows: [[String?]]) -> String {
        var text = ""
        text.reserveCapacity(rows.count * max(columns.count, 1) * 12)
        for row in rows {
            switch format {
            case .csv:
                text += row.map { $0.map(Self.csvField) ?? "" }.joined(separator: ",")
                text += "\n"
            case .json:
                text += wroteRow ? ",\n  {" : "\n  {"
                for (index, value) in row.enumerated() {
                    if index > 0 { text += ", " }
                    JSONString.appendQuoted(columns[index], to: &text)
                    text += ": "
                    if let value {
                        if numeric[index], Self.isJSONNumber(value) { text += value } else { JSONString.appendQuoted(value, to: &text) }
                    } else {
                        text += "null"
                    }
                }
                text += "}"
            case .md:
                text += "| " + row.map { $0.map(Self.markdownCell) ?? "" }.joined(separator: " | ") + " |\n"
            }
            wroteRow = true
        }
        return text
    }

    func footer() -> String {
        format == .json ? (wroteRow ? "\n]\n" : "]\n") : ""
    }

    /// `-12`, `3.5`, `1e-3`: the number grammar of JSON (no hex, no `inf`, no leading `+`).
    static func isJSONNumber(_ text: String) -> Bool {
        var bytes = text.utf8[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        func digits() -> Int {
            let count = bytes.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
            bytes = bytes.dropFirst(count)
            return count
        }
        guard digits() > 0 else { return false }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            guard digits() > 0 else { return false }
        }
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return bytes.isEmpty
    }

    static func csvField(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func markdownCell(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "|", with: "\\|")
            .replacingOccurrences(of: "\r\n", with: "<br>").replacingOccurrences(of: "\n", with: "<br>")
    }
}
