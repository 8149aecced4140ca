import ArgumentParser
import CDPCore
import CDPEngine
import CDPRepositories
import Foundation

struct QuarantineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine", abstract: "List, inspect, fix, release, reject and reopen quarantined records.",
        subcommands: [
            List.self, Show.self, Fix.self, Release.self, Reject.self, Reopen.self, Undo.self, Export.self, ClaimCommand<QuarantineCommand>.self,
            AssignCommand<QuarantineCommand>.self, UnassignCommand<QuarantineCommand>.self, HoldsCommand<QuarantineCommand>.self, CommentCommand<QuarantineCommand>.self,
        ])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List quarantined records (open and fixed by default).")
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var view: QuarantineViewOptions
        @Option(help: "At most this many records.") var limit: Int = 50
        @Flag(help: "Print as JSON.") var json = false
        @Option(name: .customLong("view"), help: "Show your saved view NAME (its filters, sort and columns, as saved in the console with :view save NAME).")
        var savedView: String?
        @Option(help: "Save these filters as your view NAME (every column, in id order), then list it.") var saveView: String?

        func run() throws {
            if let savedView { return try runView(savedView) }
            let workspace = try options.open()
            let filter = try view.filter(in: workspace, limit: limit)
            if let saveView {
                let environment = try options.environment(in: workspace)
                let saved = SavedView(name: saveView, source: filter.source?.rawValue, rule: filter.rule, statuses: filter.statuses, text: filter.text)
                try present { () throws(EngineError) in try SavedViews(workspace: workspace, environment: environment).save(saved) }
                return try runView(saveView)
            }
            let reader = workspace.reader(for: try options.environment(in: workspace))
            let (records, total) = try present { () throws(EngineError) in
                (try reader.quarantineRecords(filter), try reader.quarantineCount(filter))
            }
            if json { return Output.json(records) }
            print(Output.table(
                ["id", "status", "source", "key", "line", "rules", "first problem"],
                records.map {
                    [$0.id.description, $0.status.rawValue, $0.source.rawValue, $0.sourceKey, "\($0.line)",
                     $0.ruleNames.joined(separator: ","), String(($0.failures.first?.message ?? "").prefix(70))]
                }))
            print("\(records.count) of \(Output.grouped(total)) records")
        }

        /// A saved view: its records in its order (its owner filter applied), with its columns.
        func runView(_ name: String) throws {
            let workspace = try options.open()
            let environment = try options.environment(in: workspace)
            let reader = workspace.reader(for: environment)
            let (saved, records, total) = try present { () throws(EngineError) in
                let saved = try SavedViews(workspace: workspace, environment: environment).view(named: name)
                var ids = try reader.quarantineIDs(saved.filter, order: saved.order, ascending: saved.ascending)
                if let owner = saved.owner {
                    let holds = try WorkAssignments(workspace: workspace, environment: environment).holds(.quarantine)
                    ids = ids.filter { owner == "mine" ? holds[$0]?.owner == environment.user : holds[$0] == nil }
                }
                return (saved, try reader.quarantineRecords(ids: ids.prefix(max(0, limit)).map { QuarantineID($0) }), ids.count)
            }
            let columns = saved.viewColumns
            let now = environment.now()
            if json {
                return Output.json(records.map { record in Dictionary(uniqueKeysWithValues: columns.map { ($0.title, $0.text(record, now: now)) }) })
            }
            print("view \(saved.summary)")
            print(Output.table(columns.map(\.title), records.map { record in columns.map { String($0.text(record, now: now).prefix(70)) } }))
            print("\(records.count) of \(Output.grouped(total)) records")
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the workbench's view — the filtered records, chosen columns, in order — as CSV or JSON; masked without view_pii; audited.")
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var view: QuarantineViewOptions
        @Option(
            help: "Columns, comma separated: \(QuarantineViewColumn.allCases.map(\.rawValue).joined(separator: ",")) (owner: who holds the record; not by default).")
        var columns: String = QuarantineViewColumn.standard.map(\.rawValue).joined(separator: ",")
        @Option(help: "Order by this column (\(QuarantineOrder.allCases.map(\.rawValue).joined(separator: ", "))); add --descending to reverse.")
        var sort: String = "id"
        @Flag(help: "Reverse the order.") var descending = false
        @Option(help: "csv or json.") var format: String = "csv"
        @Option(help: "The file to write.") var out: String

        func run() throws {
            guard let format = ExportFormat(rawValue: format), format != .md else {
                throw ValidationError("--format must be csv or json")
            }
            var chosen: [QuarantineViewColumn] = []
            for name in columns.split(separator: ",") {
                guard let column = QuarantineViewColumn(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("unknown column '\(name)' (\(QuarantineViewColumn.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                chosen.append(column)
            }
            guard let order = QuarantineOrder(rawValue: sort) else {
                throw ValidationError("--sort must be one of: \(QuarantineOrder.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let workspace = try options.open()
            let filter = try view.filter(in: workspace)
            let service = QuarantineService(workspace: workspace, environment: try options.environment(in: workspace))
            let count = try present { () throws(EngineError) in
                try service.exportView(filter, order: order, ascending: !descending, columns: chosen, format: format, toFile: out)
            }
            FileHandle.standardError.write(Data("exported \(Output.grouped(count)) records × \(chosen.count) columns to \(out)\n".utf8))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a record: values, failures, lineage and history.")
        @OptionGroup var options: WorkspaceOptions
        @Argument(help: "The record, e.g. Q123.") var id: String
        @Flag(help: "Print as JSON.") var json = false

        func run() throws {
            let quarantineID = try parseID(id)
            let workspace = try options.open()
            let environment = try options.environment(in: workspace)
            let service = QuarantineService(workspace: workspace, environment: environment)
            let detail = try present { () throws(EngineError) in try service.detail(quarantineID) }
            if json { return Output.json(detail.record) }
            let record = detail.record
            print("\(record.id) · \(record.status.rawValue) · \(record.source) key \(record.sourceKey)")
            print("lineage: \(detail.file ?? "?") line \(record.line), batch \(record.batch)\(record.run.map { ", run \($0)" } ?? "")")
            if let resolution = record.resolution { print("resolution: \(resolution)") }
            let failing = Set(record.failures.compactMap(\.field))
            print("\nfields:")
            for field in record.entity.fields where detail.columns[field.name] != nil || record.fields[field.name] != nil {
                let mark = failing.contains(field.name) ? "✘" : " "
                print("  \(mark) \(field.name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(record.fields[field.name] ?? "∅")")
            }
            print("\nfailures:")
            for failure in record.failures {
                print("  [\(failure.severity.rawValue)] \(failure.rule)\(failure.field.map { " (\($0))" } ?? ""): \(failure.message)")
            }
            if let raw = detail.rawRow { print("\nraw row: \(raw)") }
            if !detail.history.isEmpty {
                print("\nhistory:")
                for entry in detail.history { print("  \(entry.at) \(entry.actor) \(entry.action): \(entry.detail)") }
            }
            if let hold = detail.hold { print("\nheld: \(WorkAssignments.describe(hold))") }
            if !detail.comments.isEmpty {
                print("\ncomments:")
                for comment in detail.comments { print("  \(comment.at) \(comment.author): \(comment.text)") }
            }
        }
    }

    struct Fix: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Edit fields of a record and re-validate it (field=value ...), or of every record of a selection.")
        @OptionGroup var options: WorkspaceOptions
        @Argument(help: "The record, e.g. Q123.") var id: String?
        @Argument(help: "Edits as field=value (canonical field or source column).") var edits: [String] = []
        @OptionGroup(title: "Every record of a selection") var selection: QuarantineSelectionOptions
        @Flag(help: "Act on a record someone else claimed or was assigned (audited).") var takeOver = false
        @Option(help: "With a selection: set a field, field=value.") var set: String?
        @Option(help: "With a selection: fix by pattern, 'field /regex/replacement/' (e.g. 'email / at /@/').") var replace: String?

        func run() throws {
            if selection.isGiven {
                guard id == nil, edits.isEmpty else { throw ValidationError("name a record with its edits, or a selection with --set or --replace, not both") }
                let change: BulkChange
                switch (set, replace) {
                case (let set?, nil):
                    guard let parsed = BulkChange(settingFrom: set) else { throw ValidationError("--set '\(set)' is not field=value") }
                    change = parsed
                case (nil, let replace?):
                    guard let parsed = BulkChange(replacingFrom: replace) else {
                        throw ValidationError("--replace '\(replace)' is not 'field /pattern/replacement/'")
                    }
                    change = parsed
                default:
                    throw ValidationError("with a selection, give one of --set field=value or --replace 'field /pattern/replacement/'")
                }
                return try BulkCLI.run(change, selection: selection, options: options)
            }
            guard let id, !edits.isEmpty else { throw ValidationError("name a record and its edits (Q123 field=value), or a selection (--rule, --source, --search)") }
            let quarantineID = try parseID(id)
            let workspace = try options.open()
            let environment = try options.environment(in: workspace)
            var changes: [String: String] = [:]
            for edit in edits {
                guard let equals = edit.firstIndex(of: "=") else { throw ValidationError("'\(edit)' is not field=value") }
                changes[String(edit[..<equals])] = String(edit[edit.index(after: equals)...])
            }
            let service = QuarantineService(workspace: workspace, environment: environment, takingOverHolds: takeOver)
            let record = try present { () throws(EngineError) in try service.fix(quarantineID, edits: changes) }
            if record.status == .fixed {
                print("\(record.id) now passes every rule; release it with: cdp quarantine release \(record.id)")
            } else {
                print("\(record.id) still fails:")
                for failure in record.failures where failure.severity >= .error { print("  \(failure.rule): \(failure.message)") }
            }
        }
    }

    struct Release: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move a record to silver (only when it passes every rule).")
        @OptionGroup var options: WorkspaceOptions
        @Argument(help: "The record, e.g. Q123.") var id: String?
        @OptionGroup(title: "Every record of a selection") var selection: QuarantineSelectionOptions
        @Flag(help: "Act on a record someone else claimed or was assigned (audited).") var takeOver = false

        func run() throws {
            if selection.isGiven {
                guard id == nil else { throw ValidationError("name a record or a selection (--rule, --source, --search), not both") }
                return try BulkCLI.run(.release, selection: selection, options: options)
            }
            guard let id else { throw ValidationError("name a record (Q123) or a selection (--rule, --source, --search)") }
            let quarantineID = try parseID(id)
            let workspace = try options.open()
            let environment = try options.environment(in: workspace)
            let service = QuarantineService(workspace: workspace, environment: environment, takingOverHolds: takeOver)
            let record = try present { () throws(EngineError) in try service.release(quarantineID) }
            print("\(record.id) released to silver (\(record.entity.silverTable), key \(record.sourceKey))")
        }
    }

    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a record, with a reason (reopen takes it back).")
        @OptionGroup var options: WorkspaceOptions
        @Argument(help: "The record, e.g. Q123.") var id: String?
        @Option(help: "Why the record is unusable.") var reason: String
        @OptionGroup(title: "Every record of a selection") var selection: QuarantineSelectionOptions
        @Flag(help: "Act on a record someone else claimed or was assigned (audited).") var takeOver = false

        func run() throws {
            if selection.isGiven {
                guard id == nil else { throw ValidationError("name a record or a selection (--rule, --source, --search), not both") }
                return try BulkCLI.run(.reject(reason: reason), selection: selection, options: options)
            }
            guard let id else { throw ValidationError("name a record (Q123) or a selection (--rule, --source, --search)") }
            let quarantineID = try parseID(id)
            let workspace = try options.open()
            let environment = try options.environment(in: workspace)
            let service = QuarantineService(workspace: workspace, environment: environment, takingOverHolds: takeOver)
            let record = try present { () throws(EngineError) in try service.reject(quarantineID, reason: reason) }
            print("\(record.id) rejected: \(record.resolution ?? reason)")
        }
    }
}

extension QuarantineCommand {
    struct Reopen: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take back a release or a rejection: the record is held again (a released one leaves silver).")
        @OptionGroup var options: WorkspaceOptions
        @Argument(help: "The record, e.g. Q123.") var id: String
        @Option(help: "Why the decision was wrong.") var reason: String

        func run() throws {
            let quarantineID = try parseID(id)
            let workspace = try options.open()
            let environment = try options.environment(in: workspace)
            let service = QuarantineService(workspace: workspace, environment: environment)
            let record = try present { () throws(EngineError) in try service.reopen(quarantineID, reason: reason) }
            print("\(record.id) reopened: \(record.status.rawValue)\(record.status == .fixed ? "; release it again with: cdp quarantine release \(record.id)" : "")")
        }
    }

    struct Undo: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Undo a release or a rejection made by mistake, as the workbench's u (audited as quarantine.release.undo / reject.undo).")
        @OptionGroup var options: WorkspaceOptions
        @Argument(help: "The record, e.g. Q123.") var id: String

        func run() throws {
            let quarantineID = try parseID(id)
            let workspace = try options.open()
            let environment = try options.environment(in: workspace)
            let service = QuarantineService(workspace: workspace, environment: environment)
            let record = try present { () throws(EngineError) in try service.undoDecision(quarantineID) }
            print("\(record.id) undone: \(record.status.rawValue) again")
        }
    }
}

func parseID(_ text: String) throws -> QuarantineID {
    guard let id = QuarantineID(parsing: text) else {
        throw ValidationError("'\(text)' is not a quarantine id (like Q123)")
    }
    return id
}

/// The workbench's filters for `cdp quarantine list` and `export` (a bulk change selects with ``QuarantineSelectionOptions``).
struct QuarantineViewOptions: ParsableArguments {
    @Option(help: "Only records failing this rule.") var rule: String?
    @Option(help: "Only records of this source.") var source: String?
    @Option(help: "Only these statuses: open, fixed, released, rejected (comma separated) or all.") var status: String = "open,fixed"
    @Option(help: "Text to find in the key or values.") var search: String?

    /// The filter these options select in `workspace`.
    /// - Throws: a usage error naming an unknown status; `.notFound` naming a rule the workspace does not have.
    func filter(in workspace: Workspace, limit: Int? = nil) throws -> QuarantineFilter {
        let statuses = try Self.statuses(status)
        if let rule, workspace.rules.rule(named: rule) == nil, !rule.hasPrefix("parse."), !rule.hasPrefix("standardize.") {
            let known = workspace.rules.rules.map(\.name).joined(separator: ", ")
            try present { () throws(EngineError) in throw EngineError(.notFound, "no rule '\(rule)' (rules: \(known))") }
        }
        var filter = QuarantineFilter(source: source.map { SourceName($0) }, rule: rule, statuses: statuses, text: search)
        if let limit { filter.limit = limit }
        return filter
    }

    /// `open,fixed` or `all` as statuses.
    /// - Throws: a usage error naming an unknown status.
    static func statuses(_ text: String) throws -> [QuarantineStatus] {
        guard text != "all" else { return [] }
        var parsed: [QuarantineStatus] = []
        for name in text.split(separator: ",") {
            guard let value = QuarantineStatus(rawValue: String(name)) else {
                throw ValidationError("unknown status '\(name)' (open, fixed, released, rejected or all)")
            }
            parsed.append(value)
        }
        return parsed
    }
}
