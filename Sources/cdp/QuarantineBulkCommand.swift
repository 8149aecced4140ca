import ArgumentParser
import CDPCore
import CDPEngine
import CDPRepositories
import Foundation

/// The records a bulk `cdp quarantine release|reject|fix` acts on: every record matching these filters.
struct QuarantineSelectionOptions: ParsableArguments {
    @Option(help: "Every held record failing this rule.") var rule: String?
    @Option(help: "Every held record of this source.") var source: String?
    @Option(help: "Every held record whose key or values hold this text.") var search: String?
    @Flag(help: "Apply the change; without it the change is only previewed.") var yes = false

    var isGiven: Bool { rule != nil || source != nil || search != nil }

    var filter: QuarantineFilter {
        QuarantineFilter(source: source.map { SourceName($0) }, rule: rule, statuses: [.open, .fixed], text: search)
    }

    var described: String {
        [rule.map { "rule \($0)" }, source.map { "source \($0)" }, search.map { "text \"\($0)\"" }].compactMap { $0 }.joined(separator: ", ")
    }
}

/// Previews a bulk change on the CLI, or applies it with `--yes`, with a progress line per batch on a terminal.
enum BulkCLI {
    static func run(_ change: BulkChange, selection: QuarantineSelectionOptions, options: WorkspaceOptions) throws {
        let workspace = try options.open()
        let environment = try options.environment(in: workspace)
        let service = QuarantineService(workspace: workspace, environment: environment)
        let plan = try present { () throws(EngineError) in try service.plan(change, filter: selection.filter) }
        print("\(change.summary) on \(Output.grouped(plan.ids.count)) of \(Output.grouped(plan.asked)) held records matching \(selection.described)")
        if !plan.skipped.isEmpty {
            let reasons = Dictionary(grouping: plan.skipped.values, by: { $0 }).map { ($0.key, $0.value.count) }.sorted { ($0.1, $1.0) > ($1.1, $0.0) }
            print("left alone: " + reasons.prefix(5).map { "\($0.1) \($0.0)" }.joined(separator: "; "))
        }
        let examples = plan.examples.prefix(10).map { "\($0.id)  \($0.before) → \($0.after)" }
        guard listFirst(examples, of: plan.ids.count, thenApply: selection.yes) else { return }
        let line = BulkProgressLine()
        let outcome = try present { () throws(EngineError) in try service.apply(plan, progress: line.report) }
        line.end()
        print("\(Output.grouped(outcome.applied.count)) records changed\(change.action == .fix ? " (\(Output.grouped(outcome.nowPassing)) now pass)" : ""), \(Output.grouped(outcome.refused.count)) refused")
        for (id, reason) in outcome.refused.sorted(by: { $0.key.rawValue < $1.key.rawValue }).prefix(10) { print("  refused \(id): \(reason)") }
    }
}

extension BulkCLI {
    /// Prints a preview's first ten lines and how many more there are; then whether to apply it (`--yes`), saying
    /// that nothing changed when not.
    static func listFirst(_ lines: [String], of total: Int, thenApply yes: Bool) -> Bool {
        for line in lines.prefix(10) { print("  \(line)") }
        if total > 10 { print("  … and \(Output.grouped(total - 10)) more") }
        if !yes { print("nothing changed; add --yes to apply") }
        return yes
    }
}

/// `1250/6193` on standard error after each batch of a bulk action, rewritten in place, when it is a terminal.
struct BulkProgressLine {
    let isTerminal = isatty(STDERR_FILENO) == 1

    func report(_ progress: BulkProgress) -> Bool {
        if isTerminal { FileHandle.standardError.write(Data("\r\(progress.done)/\(progress.total)".utf8)) }
        return true
    }

    /// Ends the line once the action is done.
    func end() {
        if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
