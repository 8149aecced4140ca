import ArgumentParser
import CDPCore
import CDPEngine
import Foundation

struct MatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match", abstract: "Match customers into golden records, and evaluate the result.",
        subcommands: [Run.self, Evaluate.self])

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stitch, block, score, cluster and build golden records from the current customers (governance/matching.toml).")
        @OptionGroup var options: WorkspaceOptions
        @Flag(help: "Print the report as JSON.") var json = false

        func run() throws {
            let workspace = try options.open()
            let environment = try options.environment(in: workspace)
            let service = MatchService(workspace: workspace, environment: environment)
            let report = try present { () throws(EngineError) in try service.run() }
            if json { return Output.json(report) }
            print(MatchReportText.summary(report))
        }
    }

    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare the current golden records with a truth CSV (source,record_id,entity_id): pairwise and cluster precision, recall, F1, and where recall went.")
        @OptionGroup var options: WorkspaceOptions
        @Option(help: "The truth CSV (default: truth/entities.csv in the workspace).") var truth: String?
        @Flag(help: "Print as JSON.") var json = false

        func run() throws {
            let workspace = try options.open()
            let environment = try options.environment(in: workspace)
            let file = truth.map { URL(fileURLWithPath: $0) } ?? workspace.root.appendingPathComponent("truth/entities.csv")
            // Acting for another user, cdp reads no file a user names: it would read it as the account cdp runs as.
            if let truth { try present { () throws(EngineError) in try UserNamedFile.checkRead(truth, for: environment) } }
            let result = try present { () throws(EngineError) in
                try MatchService(workspace: workspace, environment: environment).evaluateGoldenRecords(truth: try TruthTable(contentsOf: file))
            }
            if json { return Output.json(result) }
            print(MatchReportText.evaluation(result.evaluation))
            print(MatchReportText.lostPairs(result.lostPairs, truePairs: result.evaluation.truePairs))
        }
    }
}

enum MatchReportText {
    static func summary(_ report: MatchService.Report) -> String {
        let s = report.statistics
        var lines = [
            "\(report.run.map { "match run \($0): " } ?? "")\(Output.grouped(s.records)) records → \(Output.grouped(report.golden)) golden records (largest \(s.largestCluster))",
            "stitch links \(Output.grouped(s.stitchLinks)) · candidate pairs \(Output.grouped(s.candidatePairs)) · comparisons \(Output.grouped(s.comparisons)) · auto-merged pairs \(Output.grouped(s.autoMergePairs)) · for review \(Output.grouped(s.reviewPairs))",
            String(format: "model: prior %.4f, EM %d iterations%@", report.model.prior, report.model.iterations, report.model.converged ? " (converged)" : ""),
            Self.training(s.training),
            "phases: " + s.phases.map { String(format: "%@ %.2f s", $0.name, $0.seconds) }.joined(separator: " · "),
        ]
        if let written = report.written {
            lines.append("written: \(written.goldenCreated) golden created, \(written.goldenUpdated) updated, \(written.goldenRetired) retired, \(written.linksChanged) links changed, \(written.candidates) candidates")
        }
        if let evaluation = report.evaluation { lines.append(Self.evaluation(evaluation)) }
        return lines.joined(separator: "\n")
    }

    /// Where m came from: "m: counted on 1,204 links and approvals for birth date, phone; by EM (5 sessions)
    /// for city (seen on 412), …" — the count says how far a comparison left to EM was from `min_linked_pairs`.
    static func training(_ sessions: [MatchPipeline.Statistics.TrainingSession]) -> String {
        let em = sessions.filter { $0.kind == .em }
        let emText = "by EM (\(em.count) session\(em.count == 1 ? "" : "s"))"
        guard let links = sessions.first(where: { $0.kind == .links }) else { return "m: \(emText)" }
        let rest = Set(em.flatMap(\.comparisons)).subtracting(links.comparisons).sorted().map { name in
            links.seenOn[name].map { "\(name) (seen on \(Output.grouped($0)))" } ?? name
        }
        return "m: counted on \(Output.grouped(links.pairs)) links and approvals for \(links.comparisons.joined(separator: ", "))"
            + (rest.isEmpty ? "" : "; \(emText) for \(rest.joined(separator: ", "))")
    }

    static func evaluation(_ e: MatchEvaluation) -> String {
        var lines = [
            String(format: "pairwise: precision %.4f  recall %.4f  F1 %.4f  (%@ true pairs, %@ predicted, %@ correct)", e.pairPrecision, e.pairRecall, e.pairF1,
                Output.grouped(e.truePairs), Output.grouped(e.predictedPairs), Output.grouped(e.correctPairs)),
            String(format: "clusters: precision %.4f  recall %.4f  F1 %.4f  (%@ true, %@ predicted, %@ exact)", e.clusterPrecision, e.clusterRecall, e.clusterF1,
                Output.grouped(e.trueClusters), Output.grouped(e.predictedClusters), Output.grouped(e.exactClusters)),
            "largest cluster: \(e.largestCluster) records · \(Output.grouped(e.records)) records evaluated",
        ]
        if e.notMatchedRecords > 0 {
            let reasons = e.notMatched.map { "\(Output.grouped($0.records)) \($0.reason.label)" }.joined(separator: ", ")
            lines.append(
                "not matched: \(Output.grouped(e.notMatchedRecords)) records of the truth (\(reasons)), each counted as a cluster of its own")
            lines.append(
                String(
                    format: "  each splits its entity: the best clustering of the matched records reaches cluster F1 %.4f (this one %.4f)",
                    e.clusterF1Ceiling, e.clusterF1))
        }
        return lines.joined(separator: "\n")
    }

    /// Where recall went: the lost true pairs by cause (a record never matched) and by stage, with what the
    /// records of each stage's pairs differ in.
    static func lostPairs(_ lost: MatchService.LostPairs, truePairs: Int?) -> String {
        var lines = ["true pairs not put in one cluster: \(Output.grouped(lost.total))"]
        if let truePairs, lost.unmatchedPairs > 0 {
            lines.append(
                String(
                    format: "  of %@ true pairs, %@ have a record the match never saw: pairwise recall can reach at most %.4f", Output.grouped(truePairs),
                    Output.grouped(lost.unmatchedPairs), lost.recallCeiling(truePairs: truePairs)))
            if !lost.heldByRule.isEmpty {
                let rules = lost.heldByRule.map { "\($0.cause) \(Output.grouped($0.pairs))" }.joined(separator: ", ")
                lines.append("  held by rule (a pair counts for each rule its held record failed, warnings included): \(rules)")
            }
        }
        for cause in lost.unmatched {
            lines.append("  \(Output.grouped(cause.pairs))  a record not matched: \(cause.cause)")
        }
        for stage in lost.stages where stage.pairs > 0 {
            lines.append("  \(Output.grouped(stage.pairs))  \(stage.stage.label); the records differ in:")
            for kind in stage.kinds { lines.append("      \(Output.grouped(kind.pairs))  \(kind.key)") }
        }
        return lines.joined(separator: "\n")
    }
}
