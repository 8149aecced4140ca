import CDPCore
@testable import CDPEngine
import CDPStore
import Foundation
import TermUI
import TermUITesting
import Testing

@testable import StewardConsole

/// A workspace that has run matching and has open candidates, and a console on it as a given user.
///
/// Robert and Bob Smith share an e-mail, so the stitcher puts them in one golden record; Rob Smyth (same
/// birth date, a surname that sounds alike) is proposed against both: a cluster of three. The two Alice
/// Joneses and the two Mary Shelleys are plain pairs. The thresholds send every blocked pair to review, so
/// the queue does not depend on what EM learns from eight records.
struct ReviewFixture {
    let workspace: Workspace
    let backend: InMemoryBackend
    let app: ConsoleApp

    static let people = """
        id,first,last,email,born
        C1,Robert,Smith,rob@example.com,1980-01-01
        C2,Bob,Smith,rob@example.com,1980-01-01
        C3,Alice,Jones,alice@a.example,1990-05-05
        C4,Alice,Jones,alice.j@b.example,1990-05-05
        C5,Rob,Smyth,robert.smyth@c.example,1980-01-01
        C6,Mary,Shelley,mary@example.com,1997-08-30
        C7,Mary,Shelley,mshelley@d.example,1997-08-03
        C8,Alan,Turing,alan@example.com,1912-06-23

        """

    /// ann administers; sam is a steward; vic may only look (no decide_merges, no view_pii).
    static let access = """
        default_role = "viewer"
        [roles]
        admin = ["view_pii", "remediate_quarantine", "decide_merges", "edit_dictionary", "run_workflows", "act_as"]
        steward = ["view_pii", "remediate_quarantine", "decide_merges", "run_workflows"]
        viewer = []
        [users]
        ann = "admin"
        sam = "steward"
        vic = "viewer"
        """

    init(user: String = "sam", width: Int = 100, height: Int = 30, name: String = #function) throws {
        let prepared = try ConsoleFixture.makeWorkspace("review-\(name)", customers: Self.people)
        let root = prepared.root
        try Self.access.write(to: root.appendingPathComponent(Workspace.accessPath), atomically: true, encoding: .utf8)
        let template = try #require(WorkspaceInitializer.templateFolder).appendingPathComponent("governance/matching.toml")
        let matching = try String(contentsOf: template, encoding: .utf8)
            .replacingOccurrences(of: "auto_merge = 0.99 ", with: "auto_merge = 0.999999 ")
            .replacingOccurrences(of: "review = 0.80 ", with: "review = 0.000001 ")
            .replacingOccurrences(of: "random_pairs = 300000", with: "random_pairs = 2000")
        try matching.write(to: root.appendingPathComponent("governance/matching.toml"), atomically: true, encoding: .utf8)
        workspace = try Workspace(at: root.path)
        _ = try WorkflowRunner(workspace: workspace, environment: ConsoleFixture.clock).run(workspace.workflow())
        _ = try MatchService(workspace: workspace, environment: ConsoleFixture.clock).run()
        backend = InMemoryBackend(width: width, height: height)
        app = ConsoleApp(workspace: workspace, environment: .fixed(at: 1_764_300_000, user: user), theme: .mono, backend: backend)
    }

    /// Types a key script and lets the console handle it; returns the screen text.
    @discardableResult
    func send(_ script: String) throws -> String {
        try backend.enqueue(script: script)
        app.drainEvents(settle: true)
        return backend.screenText()
    }

    var screen: String { backend.screenText() }

    var review: MatchReview { MatchReview(workspace: workspace, environment: ConsoleFixture.clock) }

    static func record(_ key: String) -> SourceRecordID { SourceRecordID(source: "crm", key: key) }

    /// The open candidate between two records.
    func candidate(_ a: String, _ b: String) throws -> LakeStore.CandidateRow {
        let pair: Set = [Self.record(a), Self.record(b)]
        return try #require(try review.candidates(status: nil, limit: 100).first { Set([$0.a, $0.b]) == pair })
    }

    func golden(_ key: String) throws -> GoldenID {
        try #require(try workspace.store.goldenID(of: Self.record(key)))
    }
}
