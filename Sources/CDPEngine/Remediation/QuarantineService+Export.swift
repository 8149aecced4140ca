import CDPCore
import CDPRepositories
import Foundation

/// A column of the quarantine workbench: what the console shows and what an export of the view writes, from
/// one definition.
public enum QuarantineViewColumn: String, CaseIterable, Sendable {
    case id, status, source, key, name, line, age, rules, value, problem
    /// Who holds the record (a claim or an assignment), as the console's owner column shows it once anyone does.
    case owner

    /// The record's own columns, in the workbench's order: what a view shows (and an export writes) unless it names
    /// its columns. The owner column comes from who holds the record, not from the record.
    public static let standard: [QuarantineViewColumn] = allCases.filter { $0 != .owner }

    /// The header, as the workbench titles the column.
    public var title: String {
        switch self {
        case .value: "failing value"
        case .problem: "first problem"
        default: rawValue
        }
    }

    /// The column's text for `record` (pass it masked as the user reads it); `now` (seconds since 1970) for the age;
    /// `hold`, who holds the record, for the owner column (empty: nobody).
    public func text(_ record: QuarantineRecord, now: Double, hold: WorkClaim? = nil) -> String {
        switch self {
        case .id: record.id.description
        case .status: record.status.rawValue
        case .source: record.source.rawValue
        case .key: record.sourceKey
        case .name: Self.name(of: record)
        case .line: String(record.line)
        case .age: Timestamp(isoText: record.createdAt).map { Self.age(now - Double($0.secondsSinceEpoch)) } ?? "–"
        case .rules: record.ruleNames.joined(separator: ",")
        case .value: record.failures.first { $0.value != nil }?.value ?? ""
        case .problem: record.failures.first.map { "\($0.field.map { "\($0): " } ?? "")\($0.message)" } ?? ""
        case .owner: hold?.owner ?? ""
        }
    }

    /// A person's name from a record's fields: the full name, else first and last.
    public static func name(of record: QuarantineRecord) -> String {
        if let full = record.fields["full_name"] ?? record.fields["name"], !full.isEmpty { return full }
        return [record.fields["first_name"], record.fields["last_name"]].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// How long something has waited, as a work list shows it: "now", "5 min", "3 h", "12 d".
    public static func age(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 60 else { return "now" }
        if seconds < 3600 { return "\(Int(seconds / 60)) min" }
        if seconds < 86400 { return "\(Int(seconds / 3600)) h" }
        return "\(Int(seconds / 86400)) d"
    }
}

extension QuarantineService {
    /// Records read at a time while a view is exported.
    static let exportChunk = 1000

    /// Writes exactly the workbench's view to the file `path`: the records matching `filter` (its limit ignored),
    /// in `order`, with `columns`, values masked as this user reads them (through the engine's reader, as the
    /// console shows them; the owner column is who holds each record now, as every role's console shows it), and
    /// audits it as `quarantine.export`. The file is an ``ExportFile``: refused among the workspace's own files or
    /// while acting for another user, and whole or not there at all.
    /// - Returns: the number of records written.
    /// - Throws: `.refused` with no column; `.forbidden` for a refused destination; `EngineError.store` when the lake
    ///   cannot be read; `.input` naming the file when it cannot be written.
    @discardableResult
    public func exportView(
        _ filter: QuarantineFilter, order: QuarantineOrder = .id, ascending: Bool = true, columns: [QuarantineViewColumn],
        format: ExportFormat, toFile path: String
    ) throws(EngineError) -> Int {
        let file = try ExportFile(path: path, in: workspace, for: environment)
        let count = try exportView(filter, order: order, ascending: ascending, columns: columns, format: format, destination: path) { text in
            try file.write(text)
        }
        try file.commit()
        return count
    }

    /// Writes the view through `write`, then audits it (see ``exportView(_:order:ascending:columns:format:toFile:)``).
    func exportView(
        _ filter: QuarantineFilter, order: QuarantineOrder, ascending: Bool, columns: [QuarantineViewColumn],
        format: ExportFormat, destination: String, to write: (String) throws -> Void
    ) throws(EngineError) -> Int {
        guard !columns.isEmpty else { throw EngineError(.refused, "no column to export; show at least one column") }
        let reader = workspace.reader(for: environment)
        var all = filter
        all.limit = Int.max
        all.offset = 0
        let ids = try reader.quarantineIDs(all, order: order, ascending: ascending)
        let now = environment.now()
        let holds = columns.contains(.owner) ? try WorkAssignments(workspace: workspace, environment: environment).holds(.quarantine) : [:]
        var writer = ExportWriter(format: format)
        do {
            try write(writer.header(columns.map(\.title)))
            for start in stride(from: 0, to: ids.count, by: Self.exportChunk) {
                let chunk = ids[start..<min(ids.count, start + Self.exportChunk)].map { QuarantineID($0) }
                let records = try reader.quarantineRecords(ids: chunk)
                try write(
                    writer.rows(
                        records.map { record in
                            columns.map { CellValue.text($0.text(record, now: now, hold: holds[record.id.rawValue])) }
                        }))
            }
            try write(writer.footer())
        } catch let error as EngineError {
            throw error
        } catch {
            throw EngineError(.input, "cannot write the export to \(destination): \(error)")
        }
        let described = [
            filter.source.map { "source \($0)" }, filter.rule.map { "rule \($0)" },
            filter.statuses.isEmpty ? nil : "status \(filter.statuses.map(\.rawValue).joined(separator: "+"))",
            filter.text.map { _ in "text filter" }, filter.heldAfter.map { "held after \($0)" },
        ].compactMap { $0 }
        let draft = AuditDraft(
            actor: environment.user, action: "quarantine.export", target: "\(ids.count) records",
            before: described.isEmpty ? "every record" : described.joined(separator: ", "),
            after: "\(format.rawValue) to \(destination): \(columns.map(\.rawValue).joined(separator: ","))")
        try storeCall { () throws(StoreError) in _ = try workspace.repositories.audit.appendAudit(draft, at: environment.timestamp) }
        return ids.count
    }
}
