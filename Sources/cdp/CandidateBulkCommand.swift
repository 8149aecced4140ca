import ArgumentParser
import CDPCore
import CDPEngine
import Foundation

/// The open pairs a bulk `cdp candidates approve|reject` decides: every pair of one explanation key above a
/// probability.
struct PairSelectionOptions: ParsableArguments {
    @Option(help: "Every open pair with this explanation key, exactly as listed (e.g. '+FIRST +SURNAME +DOB').") var key: String?
    @Option(help: "With --key: only pairs whose probability is above this (0 to 1).") var above: Double?
    @Option(help: "With --key: only pairs between these two sources, as a+b.") var sources: String?
    @Flag(help: "Decide them; without it the pairs are only previewed.") var yes = false

    /// What a bulk decision asks for, or nil when no selection was given (a single pair is decided).
    /// - Throws: `ValidationError` for a selection given with a pair id, or one without both `--key` and `--above`.
    func bulk(_ decision: CandidateStatus, id: String?, reason: String?) throws -> (CandidateStatus, PairSelection, String?, Bool)? {
        guard key != nil || above != nil || sources != nil || yes else { return nil }
        guard id == nil else { throw ValidationError("name a pair or a selection (--key, --above), not both") }
        guard let key, let above else { throw ValidationError("a bulk decision needs both --key KEY and --above PROBABILITY") }
        var pair: SourcePair?
        if let sources {
            guard let parsed = SourcePair(parsing: sources) else { throw ValidationError("--sources '\(sources)' is not two sources as a+b") }
            pair = parsed
        }
        return (decision, PairSelection(key: key, above: above, sources: pair), reason, yes)
    }
}

/// Previews a bulk decision on the CLI, or applies it with `--yes`, with a progress line per batch on a terminal.
enum BulkPairCLI {
    static func run(_ request: (CandidateStatus, PairSelection, String?, Bool), options: WorkspaceOptions) throws {
        let (decision, selection, reason, apply) = request
        let workspace = try options.open()
        let environment = try options.environment(in: workspace)
        let review = MatchReview(workspace: workspace, environment: environment)
        let plan = try present { () throws(EngineError) in try review.planBulk(decision, selection, reason: reason) }
        let verb = decision == .approved ? "approve" : "reject"
        print("\(verb) \(Output.grouped(plan.candidates.count)) open pairs with \(selection.summary)")
        print(Output.table(
            ["id", "probability", "record a", "record b"],
            plan.candidates.prefix(10).map { [$0.id.description, String(format: "%.4f", $0.probability), $0.a.description, $0.b.description] }))
        if plan.candidates.count > 10 { print("  … and \(Output.grouped(plan.candidates.count - 10)) more") }
        guard apply else {
            print("nothing changed; add --yes to \(verb) them")
            return
        }
        let line = BulkProgressLine()
        let outcome = try present { () throws(EngineError) in try review.applyBulk(plan, progress: line.report) }
        line.end()
        print("\(Output.grouped(outcome.applied.count)) pairs \(decision.rawValue), \(Output.grouped(outcome.refused.count)) refused")
        for (id, why) in outcome.refused.sorted(by: { $0.key.rawValue < $1.key.rawValue }).prefix(10) { print("  refused \(id): \(why)") }
    }
}
