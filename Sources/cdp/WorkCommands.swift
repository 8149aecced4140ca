import ArgumentParser
import CDPCore
import CDPEngine
import CDPRepositories
import Foundation

/// `claim`, `assign`, `unassign` and `holds` for quarantined records and candidate pairs alike.
enum WorkCLI {
    /// The items named on the command line; `-` alone reads them from standard input instead (separated by spaces,
    /// commas or new lines), so thousands of ids need not be arguments: `cdp query … | cdp quarantine assign - --to sam`.
    static func items(_ texts: [String], _ kind: WorkItem.Kind) throws -> [WorkItem] {
        var texts = texts
        if texts == ["-"] {
            let input = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            texts = input.split(whereSeparator: { $0.isWhitespace || $0 == "," }).map(String.init)
        }
        guard !texts.isEmpty else { throw ValidationError("name at least one \(kind == .quarantine ? "record (Q123)" : "pair (P12)")") }
        return try texts.map { text in
            switch kind {
            case .quarantine: .quarantine(try parseID(text))
            case .candidate: .candidate(try parseCandidateID(text))
            }
        }
    }

    static func service(_ options: WorkspaceOptions) throws -> WorkAssignments {
        let workspace = try options.open()
        return WorkAssignments(workspace: workspace, environment: try options.environment(in: workspace))
    }

    static func report(_ outcome: WorkAssignments.Outcome, _ verb: String) {
        if !outcome.changed.isEmpty { print("\(verb): \(outcome.changed.map(\.description).joined(separator: ", "))") }
        if !outcome.unchanged.isEmpty { print("already so: \(outcome.unchanged.map(\.description).joined(separator: ", "))") }
        for hold in outcome.takenOver { print("taken over from \(hold.owner): \(hold.item) (was \(WorkAssignments.describe(hold)))") }
    }

    static func printThread(_ comments: [WorkComment]) {
        guard !comments.isEmpty else { return print("no comments") }
        for comment in comments { print("\(comment.at)  \(comment.author): \(comment.text)") }
    }

    static func holds(_ kind: WorkItem.Kind, options: WorkspaceOptions, owner: String?, json: Bool) throws {
        let service = try service(options)
        let holds = try present { () throws(EngineError) in try service.holds(kind) }.values
            .filter { owner == nil || $0.owner == owner }.sorted { $0.item < $1.item }
        if json {
            struct Row: Encodable { var item, owner, hold, by, since: String; var expiresAt: String? }
            return Output.json(holds.map { Row(item: $0.item.description, owner: $0.owner, hold: $0.hold.rawValue, by: $0.by, since: $0.since, expiresAt: $0.expiresAt) })
        }
        print(Output.table(
            ["item", "owner", "hold", "by", "since", "until"],
            holds.map { [$0.item.description, $0.owner, $0.hold.rawValue, $0.by, $0.since, $0.expiresAt ?? "-"] }))
        print("\(holds.count) held")
    }
}

/// The claim, assign, unassign and holds subcommands of one work list.
protocol WorkListCommand { static var kind: WorkItem.Kind { get } }

struct ClaimCommand<List: WorkListCommand>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "claim",
            abstract: "Claim \(List.kind == .quarantine ? "records" : "pairs") for yourself for 30 minutes (audited; released when you leave the console).")
    }
    @OptionGroup var options: WorkspaceOptions
    @Argument(help: "The \(List.kind == .quarantine ? "records, e.g. Q123" : "pairs, e.g. P12").") var ids: [String]
    @Flag(help: "Take over items someone else holds (audited).") var takeOver = false

    func run() throws {
        let items = try WorkCLI.items(ids, List.kind)
        let service = try WorkCLI.service(options)
        let outcome = try present { () throws(EngineError) in try service.claim(items, takingOver: takeOver) }
        WorkCLI.report(outcome, "claimed by \(service.environment.user) for 30 minutes")
    }
}

struct AssignCommand<List: WorkListCommand>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "assign", abstract: "Assign \(List.kind == .quarantine ? "records" : "pairs") to a steward (needs assign_work; audited).")
    }
    @OptionGroup var options: WorkspaceOptions
    @Argument(help: "The \(List.kind == .quarantine ? "records, e.g. Q123" : "pairs, e.g. P12") (- reads them from standard input).")
    var ids: [String] = []
    @Option(help: "The steward's user name.") var to: String
    @Flag(help: "Take over items someone else holds (audited).") var takeOver = false
    @OptionGroup(title: "Every held record of a selection (records only)") var selection: QuarantineSelectionOptions

    func run() throws {
        if selection.isGiven {
            guard List.kind == .quarantine else { throw ValidationError("--rule, --source and --search select held records; name the pairs (P12)") }
            guard ids.isEmpty else { throw ValidationError("name records or a selection (--rule, --source, --search), not both") }
            return try assignSelection()
        }
        let items = try WorkCLI.items(ids, List.kind)
        let service = try WorkCLI.service(options)
        let outcome = try present { () throws(EngineError) in try service.assign(items, to: to, takingOver: takeOver) }
        WorkCLI.report(outcome, "assigned to \(to)")
    }

    /// Previews assigning every record of the selection, or, with `--yes`, assigns them as one action.
    private func assignSelection() throws {
        let service = try WorkCLI.service(options)
        let preview = try present { () throws(EngineError) in
            try service.previewAssignment(matching: selection.filter, selection: selection.described, to: to)
        }
        print("assign to \(to): \(Output.grouped(preview.items.count)) held records matching \(selection.described)")
        if !preview.alreadyAssigned.isEmpty { print("already assigned to \(to): \(Output.grouped(preview.alreadyAssigned.count))") }
        if !preview.heldByOthers.isEmpty {
            let owners = Dictionary(grouping: preview.heldByOthers, by: \.owner).map { "\($0.value.count) held by \($0.key)" }.sorted()
            print("held by others: \(owners.joined(separator: "; "))" + (takeOver ? " (taken over)" : " (refused without --take-over)"))
        }
        guard BulkCLI.listFirst(preview.items.prefix(10).map(\.description), of: preview.items.count, thenApply: selection.yes) else { return }
        let line = BulkProgressLine()
        let outcome = try present { () throws(EngineError) in try service.assign(preview, to: to, takingOver: takeOver, progress: line.report) }
        line.end()
        print("\(Output.grouped(outcome.changed.count)) records assigned to \(to), \(Output.grouped(outcome.unchanged.count)) already so"
            + (outcome.takenOver.isEmpty ? "" : ", \(Output.grouped(outcome.takenOver.count)) taken over"))
    }
}

struct UnassignCommand<List: WorkListCommand>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "unassign",
            abstract: "Take the claim or assignment off \(List.kind == .quarantine ? "records" : "pairs") (your own, or anyone's with assign_work; audited).")
    }
    @OptionGroup var options: WorkspaceOptions
    @Argument(help: "The \(List.kind == .quarantine ? "records, e.g. Q123" : "pairs, e.g. P12").") var ids: [String]

    func run() throws {
        let items = try WorkCLI.items(ids, List.kind)
        let service = try WorkCLI.service(options)
        let outcome = try present { () throws(EngineError) in try service.unassign(items) }
        WorkCLI.report(outcome, "unassigned")
    }
}

struct HoldsCommand<List: WorkListCommand>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "holds", abstract: "Who is on which \(List.kind == .quarantine ? "record" : "pair"): live claims and assignments.")
    }
    @OptionGroup var options: WorkspaceOptions
    @Option(help: "Only this steward's.") var owner: String?
    @Flag(help: "Print as JSON.") var json = false

    func run() throws { try WorkCLI.holds(List.kind, options: options, owner: owner, json: json) }
}

struct CommentCommand<List: WorkListCommand>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "comment",
            abstract: "Add a comment to a \(List.kind == .quarantine ? "record's" : "pair's") thread (audited), or list the thread without --text.")
    }
    @OptionGroup var options: WorkspaceOptions
    @Argument(help: "The \(List.kind == .quarantine ? "record, e.g. Q123" : "pair, e.g. P12").") var id: String
    @Option(help: "The comment (at most 500 characters).") var text: String?

    func run() throws {
        let item = try WorkCLI.items([id], List.kind)[0]
        let workspace = try options.open()
        let comments = WorkComments(workspace: workspace, environment: try options.environment(in: workspace))
        if let text {
            let comment = try present { () throws(EngineError) in try comments.comment(on: item, text: text) }
            print("commented on \(item) as \(comment.author) at \(comment.at)")
            return
        }
        WorkCLI.printThread(try present { () throws(EngineError) in try comments.thread(of: item) })
    }
}

extension QuarantineCommand: WorkListCommand { static var kind: WorkItem.Kind { .quarantine } }
extension CandidatesCommand: WorkListCommand { static var kind: WorkItem.Kind { .candidate } }
