import CDPCore
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

/// Matching through the engine: configuration, stable golden ids, steward decisions, unmerge, audit.
@Suite struct MatchingServiceTests {
    static let people = """
        id,first,last,email,born
        C1,Robert,Smith,rob@example.com,1980-01-01
        C2,Bob,Smith,rob@example.com,1980-01-01
        C3,Alice,Jones,alice@a.example,1990-05-05
        C4,Alice,Jones,alice.j@b.example,1990-05-05
        C5,Oscar,Wilde,oscar@example.com,1954-10-16
        C6,Mary,Shelley,mary@example.com,1997-08-30
        C7,Ada,Lovelace,ada@example.com,1915-12-10
        C8,Alan,Turing,alan@example.com,1912-06-23

        """

    /// A workspace over `people` whose matching config merges only on hard identifiers and sends every
    /// other blocked pair to review (so tests do not depend on what EM learns from eight records).
    static func workspace(_ name: String, extraRows: String = "") throws -> Workspace {
        let workspace = try EngineFixture.customerWorkspace(name, rules: EngineFixture.standardRules, files: ["customers1.csv": people + extraRows])
        try EngineFixture.run(workspace)
        let template = try #require(WorkspaceInitializer.templateFolder).appendingPathComponent("governance/matching.toml")
        var text = try String(contentsOf: template, encoding: .utf8)
        text = text.replacingOccurrences(of: "auto_merge = 0.99 ", with: "auto_merge = 0.999999 ")
            .replacingOccurrences(of: "review = 0.80 ", with: "review = 0.000001 ")
            .replacingOccurrences(of: "random_pairs = 300000", with: "random_pairs = 2000")
        try text.write(to: workspace.root.appendingPathComponent("governance/matching.toml"), atomically: true, encoding: .utf8)
        return workspace
    }

    static func record(_ key: String) -> SourceRecordID { SourceRecordID(source: "crm", key: key) }

    func golden(_ workspace: Workspace, _ key: String) throws -> GoldenID {
        try #require(try workspace.store.goldenID(of: Self.record(key)))
    }

    @Test func theTemplateConfigurationLoads() throws {
        let template = try #require(WorkspaceInitializer.templateFolder).appendingPathComponent("governance/matching.toml")
        let configuration = try MatchingConfigurationLoader.load(tomlText: try String(contentsOf: template, encoding: .utf8), file: "matching.toml")
        #expect(configuration.blocking.rules.count == 6)
        #expect(configuration.comparisons.map(\.tag) == ["FIRST", "SURNAME", "DOB", "EMAIL", "PHONE", "POSTCODE", "CITY"])
        #expect(configuration.comparisons[0].levels[1].termFrequency)
    }

    @Test func aBadConfigurationIsRefusedWholeNamingLines() throws {
        let text = """
            [thresholds]
            auto_merge = 0.5
            review = 0.9

            [[blocking.rules]]
            name = "x"
            keys = ["surname_sound"]

            [[comparisons]]
            name = "first"
            field = "first_name"
              [[comparisons.levels]]
              kind = "exact"
              [[comparisons.levels]]
              kind = "jaro_winkler"
              treshold = 0.9
              [[comparisons.levels]]
              kind = "else"
            """
        let error = #expect(throws: EngineError.self) { try MatchingConfigurationLoader.load(tomlText: text, file: "matching.toml") }
        #expect(error?.code == .invalidConfiguration)
        let details = error?.details ?? []
        #expect(details.contains { $0.hasPrefix("matching.toml:7:9: blocking.rules[0].keys[0]: 'surname_sound' is unknown") })
        #expect(details.contains { $0.hasPrefix("matching.toml:16:3: comparisons[0].levels[1].treshold: is not a known setting") })
        #expect(details.count >= 2)
    }

    /// `household = true` marks a comparison of what one household shares; it is read like every boolean setting.
    @Test func aHouseholdComparisonIsReadAndChecked() throws {
        let template = try #require(WorkspaceInitializer.templateFolder).appendingPathComponent("governance/matching.toml")
        let text = try String(contentsOf: template, encoding: .utf8)
        let shipped = try MatchingConfigurationLoader.load(tomlText: text, file: "matching.toml")
        #expect(shipped.comparisons.filter(\.household).map(\.field) == [.phone, .postcode, .city])
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let phoneLine = try #require(lines.firstIndex { $0.hasPrefix("household = true") })  // the phone's, the first
        var edited = lines
        edited[phoneLine] = "household = \"yes\""
        let bad = #expect(throws: EngineError.self) {
            try MatchingConfigurationLoader.load(tomlText: edited.joined(separator: "\n"), file: "matching.toml")
        }
        #expect(
            bad?.details.contains { $0.contains("comparisons[4].household: must be true or false, found a string (\"yes\")") } == true,
            "\(bad?.details ?? [])")
    }

    @Test func theLinkedPairMinimumIsReadAndCheckedLikeEveryOtherSetting() throws {
        let template = try #require(WorkspaceInitializer.templateFolder).appendingPathComponent("governance/matching.toml")
        let text = try String(contentsOf: template, encoding: .utf8)
        let off = try MatchingConfigurationLoader.load(
            tomlText: text.replacingOccurrences(of: "min_linked_pairs = 1000", with: "min_linked_pairs = 0"), file: "matching.toml")
        #expect(off.estimation.minLinkedPairs == 0)

        let negative = #expect(throws: EngineError.self) {
            try MatchingConfigurationLoader.load(
                tomlText: text.replacingOccurrences(of: "min_linked_pairs = 1000", with: "min_linked_pairs = -1"), file: "matching.toml")
        }
        #expect(negative?.details.contains { $0.contains("estimation.min_linked_pairs") && $0.contains("must be 0 (off) or more") } == true)

        let misspelt = #expect(throws: EngineError.self) {
            try MatchingConfigurationLoader.load(
                tomlText: text.replacingOccurrences(of: "min_linked_pairs = 1000", with: "min_link_pairs = 1000"), file: "matching.toml")
        }
        #expect(misspelt?.details.contains { $0.contains("estimation.min_link_pairs: is not a known setting") } == true, "\(misspelt?.details ?? [])")
    }

    /// With a truth table the report says how many queued pairs are true matches and tallies the queue by
    /// explanation key, most pairs first; the tallies' true matches add up to the total.
    @Test func theReviewQueueIsTalliedAgainstTheTruth() throws {
        let workspace = try Self.workspace("match-queue-tally")
        let truthFile = workspace.root.appendingPathComponent("truth.csv")
        let entities = ["C1": "P1", "C2": "P1", "C3": "P2", "C4": "P2", "C5": "P3", "C6": "P4", "C7": "P5", "C8": "P6"]
        try ("source,record_id,entity_id\n" + entities.sorted { $0.key < $1.key }.map { "crm,\($0.key),\($0.value)\n" }.joined())
            .write(to: truthFile, atomically: true, encoding: .utf8)
        let report = try MatchService(workspace: workspace, environment: EngineFixture.clock)
            .run(persist: false, truth: try TruthTable(contentsOf: truthFile))
        let tallies = try #require(report.reviewByKey)
        #expect(report.reviewTrueMatches == 1, "only Alice Jones's two records are one person and queued")
        #expect(tallies.reduce(0) { $0 + $1.pairs } == report.statistics.reviewPairs)
        #expect(tallies.reduce(0) { $0 + $1.trueMatches } == 1)
        #expect(tallies.map(\.pairs) == tallies.map(\.pairs).sorted(by: >))
        #expect(tallies.contains { $0.trueMatches == 1 && $0.key.contains("+DOB") })
        // Every candidate pair is in one calibration band; the queued true match is among them.
        let bands = try #require(report.statistics.calibration)
        #expect(bands.reduce(0) { $0 + $1.pairs } == report.statistics.candidatePairs)
        #expect(bands.reduce(0) { $0 + $1.trueMatches } >= 1)
    }

    /// Every record of the truth counts: a quarantined one and one the lake never saw are clusters of their
    /// own (missed matches), not records to leave out, and the evaluation says how many and why.
    @Test func evaluationCountsEveryRecordOfTheTruthFile() throws {
        // C9 is Alice Jones again with an email the rules hold in quarantine.
        let workspace = try Self.workspace("match-evaluate-quarantined", extraRows: "C9,Alice,Jones,alice at b.example,1990-05-05\n")
        let truthFile = workspace.root.appendingPathComponent("truth.csv")
        let entities = [
            "C1": "P1", "C2": "P1", "C3": "P2", "C4": "P2", "C5": "P3", "C6": "P4", "C7": "P5", "C8": "P6", "C9": "P2", "Z1": "P7",
        ]
        try ("source,record_id,entity_id\n" + entities.sorted { $0.key < $1.key }.map { "crm,\($0.key),\($0.value)\n" }.joined())
            .write(to: truthFile, atomically: true, encoding: .utf8)
        let truth = try TruthTable(contentsOf: truthFile)
        #expect(try workspace.store.quarantineCount(LakeStore.QuarantineFilter()) == 1)

        let report = try MatchService(workspace: workspace, environment: EngineFixture.clock).run(truth: truth)
        let evaluated = try MatchReview(workspace: workspace, environment: EngineFixture.clock).evaluate(truth: truth)
        for evaluation in [try #require(report.evaluation), evaluated] {
            #expect(evaluation.records == 10)
            #expect(evaluation.notMatched == [.init(reason: .quarantined, records: 1), .init(reason: .notInLake, records: 1)])
            // True pairs: C1–C2, and C3, C4, C9 pairwise; only C1–C2 (one email) is merged at these thresholds.
            #expect(evaluation.truePairs == 4)
            #expect(evaluation.correctPairs == 1)
            #expect(evaluation.pairRecall == 0.25)
            #expect(evaluation.trueClusters == 7)
        }
        // Where recall went: C9's two pairs to a record it never met (held by email_format), and C3–C4 left in
        // the queue (review is near zero here); nothing else, and Z1 has no partner to lose.
        let lost = try #require(report.lostPairs)
        #expect(lost.unmatched == [.init(cause: "quarantined: email_format", pairs: 2)])
        // What each rule costs matching, and the recall no matching of the records it saw can pass: 2 of 4.
        #expect(lost.heldByRule == [.init(cause: "email_format", pairs: 2)])
        #expect(lost.recallCeiling(truePairs: 4) == 0.5)
        #expect(lost.stages.map(\.stage) == LostPairStage.allCases)
        #expect(lost.stages.first { $0.stage == .inReview }?.pairs == 1)
        #expect(lost.stages.first { $0.stage == .inReview }?.kinds.map(\.pairs) == [1])
        #expect(lost.total == 3)
        // `cdp match evaluate` reads the stored golden records and says the same, by the same code.
        let stored = try MatchService(workspace: workspace, environment: EngineFixture.clock).evaluateGoldenRecords(truth: truth)
        #expect(stored.lostPairs == lost)
        #expect(stored.evaluation.correctPairs == 1 && stored.evaluation.records == 10)

        // A record ingested after the match run is "not matched yet".
        try Data("id,first,last,email,born\nC10,Grace,Hopper,grace@example.com,1906-12-09\n".utf8)
            .write(to: workspace.root.appendingPathComponent("inbox/customers2.csv"))
        try EngineFixture.run(workspace)
        try ("source,record_id,entity_id\ncrm,C1,P1\ncrm,C10,P8\n").write(to: truthFile, atomically: true, encoding: .utf8)
        let later = try MatchReview(workspace: workspace, environment: EngineFixture.clock).evaluate(truth: try TruthTable(contentsOf: truthFile))
        #expect(later.notMatched == [.init(reason: .notMatchedYet, records: 1)])
        #expect(later.records == 2)
        // Its pair with a matched record is lost to it, not to a stage of a match that has not run on it yet.
        try ("source,record_id,entity_id\ncrm,C1,P1\ncrm,C2,P1\ncrm,C10,P1\n").write(to: truthFile, atomically: true, encoding: .utf8)
        let lostLater = try MatchService(workspace: workspace, environment: EngineFixture.clock)
            .evaluateGoldenRecords(truth: try TruthTable(contentsOf: truthFile)).lostPairs
        #expect(lostLater.unmatched == [.init(cause: "not matched yet", pairs: 2)])
        #expect(lostLater.heldByRule.isEmpty, "not held by a rule")
        #expect(lostLater.stages.allSatisfy { $0.pairs == 0 })
        #expect(lostLater.total == 2)
    }

    /// A birth date a year off weighs as evidence (its own level) instead of vetoing: the same email, name
    /// and a birth year typed wrong is one person. A birth date no level explains still keeps a shared
    /// inbox's other holder apart.
    @Test func aBirthDateAYearOffNoLongerVetoesButAHardConflictDoes() throws {
        let workspace = try Self.workspace(
            "match-soft-veto",
            extraRows: """
                C10,Grace,Hopper,grace@example.com,1906-12-09
                C11,Grace,Hopper,grace@example.com,1907-12-09
                C12,Grace,Hopper,grace@example.com,1950-01-01
                C13,Grace,Hopper,grace@example.com,1906-12-08

                """)
        _ = try MatchService(workspace: workspace, environment: EngineFixture.clock).run()
        let grace = try golden(workspace, "C10")
        #expect(try golden(workspace, "C11") == grace, "a year off")
        #expect(try golden(workspace, "C13") == grace, "one digit off")
        #expect(try golden(workspace, "C12") != grace, "born 43 years apart: another holder of the inbox")
    }

    @Test func goldenIDsAreStableWhenAClusterGrows() throws {
        let workspace = try Self.workspace("stable")
        let service = MatchService(workspace: workspace, environment: EngineFixture.clock)
        let first = try service.run()
        #expect(first.statistics.stitchLinks == 1)
        let robert = try golden(workspace, "C1")
        #expect(try golden(workspace, "C2") == robert)
        let ada = try golden(workspace, "C7")

        try Data("id,first,last,email,born\nC9,Rob,Smith,rob@example.com,1980-01-01\n".utf8)
            .write(to: workspace.root.appendingPathComponent("inbox/customers2.csv"))
        try EngineFixture.run(workspace)
        let second = try service.run()
        #expect(try golden(workspace, "C9") == robert)
        #expect(try golden(workspace, "C7") == ada)
        #expect(second.written?.goldenCreated == 0)
        #expect(second.written?.linksChanged == 1)
        let detail = try MatchReview(workspace: workspace, environment: EngineFixture.clock).golden(robert)
        #expect(detail.members == ["C1", "C2", "C9"].map(Self.record))
        // Survivorship with provenance: all three say "Smith"; ties go to the most trusted, then first record.
        let last = try #require(detail.attributes.first { $0.name == "last_name" })
        #expect(last.value == "Smith" && last.rule == "most_frequent" && last.source == Self.record("C1"))
    }

    @Test func unmergeSplitsTheRecordAndBlocksReMerging() throws {
        let workspace = try Self.workspace("unmerge")
        let environment = EngineFixture.clock
        _ = try MatchService(workspace: workspace, environment: environment).run()
        let robert = try golden(workspace, "C1")
        let review = MatchReview(workspace: workspace, environment: environment)
        let fresh = try review.unmerge(robert, record: Self.record("C2"), reason: "different people")
        #expect(try golden(workspace, "C2") == fresh)
        #expect(try golden(workspace, "C1") == robert)

        _ = try MatchService(workspace: workspace, environment: environment).run()
        #expect(try golden(workspace, "C1") == robert)
        #expect(try golden(workspace, "C2") == fresh)
        let open = try review.candidates(status: .open, limit: 100)
        #expect(!open.contains { Set([$0.a, $0.b]) == Set([Self.record("C1"), Self.record("C2")]) })
        let audit = try workspace.store.auditEntries(LakeStore.AuditFilter(action: "golden.unmerge"))
        #expect(audit.count == 1 && audit[0].target == robert.description && audit[0].reason == "different people")
        #expect(try workspace.store.auditChainProblems().isEmpty)

        #expect(throws: EngineError.self) { try review.unmerge(robert, record: Self.record("C2")) }
    }

    func alicePair(_ review: MatchReview) throws -> LakeStore.CandidateRow {
        try #require(try review.candidates(status: .open, limit: 100).first { Set([$0.a, $0.b]) == Set([Self.record("C3"), Self.record("C4")]) })
    }

    @Test func approvingMergesNowAndKeepsThePairTogether() throws {
        let workspace = try Self.workspace("approve")
        let environment = EngineFixture.clock
        let service = MatchService(workspace: workspace, environment: environment)
        _ = try service.run()
        let review = MatchReview(workspace: workspace, environment: environment)
        let candidate = try alicePair(review)
        let detail = try review.detail(candidate.id)
        #expect(detail.recordA?.firstName == "Alice")
        #expect(detail.explanation?.key.contains("+SURNAME") == true)
        let merged = try review.approve(candidate.id, reason: "same person")
        #expect(try golden(workspace, "C3") == merged)
        #expect(try golden(workspace, "C4") == merged)
        #expect(throws: EngineError.self) { try review.approve(candidate.id) }

        _ = try service.run()
        #expect(try golden(workspace, "C3") == merged)
        #expect(try golden(workspace, "C4") == merged)
        #expect(try workspace.store.auditEntries(LakeStore.AuditFilter(action: "match.approve")).count == 1)
    }

    @Test func aRejectedPairIsNeverProposedAgainUntilUndone() throws {
        let workspace = try Self.workspace("reject")
        let environment = EngineFixture.clock
        let service = MatchService(workspace: workspace, environment: environment)
        _ = try service.run()
        let review = MatchReview(workspace: workspace, environment: environment)
        let candidate = try alicePair(review)
        try review.reject(candidate.id, reason: "twins")
        _ = try service.run()
        #expect(try review.candidates(status: .open, limit: 100).allSatisfy { $0.id != candidate.id })
        #expect(try review.candidates(status: .rejected, limit: 100).map(\.id) == [candidate.id])
        #expect(try golden(workspace, "C3") != golden(workspace, "C4"))

        try review.undo(candidate.id)
        _ = try service.run()
        #expect(try alicePair(review).id == candidate.id)
        #expect(try workspace.store.auditEntries(LakeStore.AuditFilter(action: "match.undo")).count == 1)
    }

    @Test func anOverrideSurvivesTheNextRun() throws {
        let workspace = try Self.workspace("override")
        let environment = EngineFixture.clock
        let service = MatchService(workspace: workspace, environment: environment)
        _ = try service.run()
        let ada = try golden(workspace, "C7")
        let review = MatchReview(workspace: workspace, environment: environment)
        try review.override(ada, attribute: "first_name", value: "Augusta Ada")
        _ = try service.run()
        let value = try review.golden(ada).attributes.first { $0.name == "first_name" }
        #expect(value == GoldenAttribute(name: "first_name", value: "Augusta Ada", source: nil, rule: "override"))
    }

    @Test func theWorkflowStepMatches() throws {
        let workspace = try Self.workspace("workflow")
        try """
            {"name": "m", "tasks": [{"task_key": "match", "cdp_task": {"step": "match"}}]}
            """.write(to: workspace.root.appendingPathComponent("workflows/m.json"), atomically: true, encoding: .utf8)
        let summary = try WorkflowRunner(workspace: workspace, environment: EngineFixture.clock).run(workspace.workflow(named: "m"))
        #expect(summary.state == .succeeded)
        #expect(try workspace.store.goldenID(of: Self.record("C8")) != nil)
    }
}
