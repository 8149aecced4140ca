import CDPCore
@testable import CDPEngine
import CDPStore
import Foundation
import TermUI
import TermUITesting
import Testing

@testable import StewardConsole

/// The Review tab: the queue, a candidate with its waterfall, one key per decision, blind mode, undo,
/// the cluster view and the golden record view, through the engine (checked, audited, masked).
@Suite struct ReviewScreenTests {
    /// The rows of the screen holding each id, top to bottom.
    func order(_ ids: [CandidateID], on screen: String) -> [CandidateID] {
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
        func row(_ id: CandidateID) -> Int { lines.firstIndex { $0.contains("│▌\(id) ") || $0.contains("│ \(id) ") } ?? -1 }
        return ids.sorted { row($0) < row($1) }
    }

    @Test func theQueueIsOrderedAroundTheMiddleOfTheThresholdsWithACounter() throws {
        let f = try ReviewFixture()
        let open = try f.review.candidates(status: .open, limit: 100)
        #expect(open.count == 4)
        func expected(around centre: Double) -> [CandidateID] {
            open.sorted { (abs($0.probability - centre), $0.id.rawValue) < (abs($1.probability - centre), $1.id.rawValue) }.map(\.id)
        }
        var screen = try f.send("8")
        #expect(screen.contains("Merge review · reviewed 0 / remaining 4 · approved 0 / rejected 0"))
        #expect(screen.contains("4 open pairs, most uncertain first: probability nearest 0.5,"))
        #expect(order(open.map(\.id), on: screen) == expected(around: 0.5))
        // Rob Smyth against either Smith joins three records.
        let robRob = try f.candidate("C1", "C5").id
        #expect(screen.split(separator: "\n").first { $0.contains("│ \(robRob) ") }?.contains("3 ▸") == true)

        // Thresholds low in the range move the most uncertain pairs down with them.
        let config = f.workspace.root.appendingPathComponent("governance/matching.toml")
        let text = try String(contentsOf: config, encoding: .utf8)
            .replacingOccurrences(of: "auto_merge = 0.999999 ", with: "auto_merge = 0.0001 ")
            .replacingOccurrences(of: "review = 0.000001 ", with: "review = 0.0000001 ")
        try text.write(to: config, atomically: true, encoding: .utf8)
        screen = try f.send("<ctrl-r>")
        let centre = (0.0001 + 0.0000001) / 2
        #expect(screen.contains("probability nearest 5.005e-05"))
        #expect(order(open.map(\.id), on: screen) == expected(around: centre))
        #expect(expected(around: centre) != expected(around: 0.5))
    }

    @Test func theCandidateShowsBothRecordsTheWaterfallAndTheKey() throws {
        let f = try ReviewFixture()
        let alice = try f.candidate("C3", "C4")
        let screen = try f.send("8 <enter>")
        #expect(screen.contains("Review \(alice.id) (1 of 4) · reviewed 0 / remaining 4"))
        #expect(screen.contains("a  crm:C3"))
        #expect(screen.contains("b  crm:C4"))
        #expect(screen.contains("≠ alice.j@b.example"))
        let explanation = try #require(try f.review.detail(alice.id).explanation)
        #expect(screen.contains("probability \(ReviewText.probability(explanation.probability))"))
        #expect(screen.contains("key \(explanation.key)"))
        // The waterfall: the prior, one bar per comparison with its level label and weight, the total.
        #expect(screen.contains("prior"))
        for term in explanation.terms {
            #expect(screen.contains("\(term.comparison) · \(term.label)"), "\(term.comparison)")
        }
        #expect(screen.contains("total → \(ReviewText.probability(explanation.probability))"))
        #expect(screen.contains(String(format: "%+.2f", explanation.totalWeight)))
        // Differing values take the warning role, equal ones the text role.
        let differing = try #require(f.backend.find("alice.j@b.example"))
        #expect(f.backend.styledCell(x: differing.x, y: differing.y)?.style == f.app.theme[.warning])
        let same = try #require(f.backend.find("Jones"))
        #expect(f.backend.styledCell(x: same.x, y: same.y)?.style == f.app.theme[.text])
        // Still readable at the smallest size.
        let small = try f.send("<resize:80x24>")
        #expect(small.contains("Review \(alice.id)"))
        #expect(small.contains("≠ alice.j@b.example"))
    }

    @Test func oneKeyPerDecisionThenTheNextPairShows() throws {
        let f = try ReviewFixture()
        let open = try f.review.candidates(status: .open, limit: 100).map(\.id)
        try f.send("8 <enter> a")
        #expect(try f.review.detail(open[0]).candidate.status == .approved)
        #expect(f.screen.contains("Review \(open[1]) (2 of 4) · reviewed 1 / remaining 3 · approved 1 / rejected 0"))
        try f.send("x")
        #expect(try f.review.detail(open[1]).candidate.status == .rejected)
        #expect(f.screen.contains("Review \(open[2]) (3 of 4) · reviewed 2 / remaining 2 · approved 1 / rejected 1"))
        try f.send("s")
        #expect(try f.review.detail(open[2]).candidate.status == .open)
        #expect(f.screen.contains("Review \(open[3]) (4 of 4) · reviewed 2 / remaining 2 · approved 1 / rejected 1 · skipped 1"))
        try f.send("x")
        #expect(f.screen.contains("End of the queue"))
        let audit = try f.workspace.store.auditEntries(LakeStore.AuditFilter(limit: 100))
        #expect(audit.filter { $0.action == "match.approve" }.map(\.target) == [open[0].description])
        #expect(Set(audit.filter { $0.action == "match.reject" }.map(\.target)) == [open[1].description, open[3].description])
        #expect(audit.filter { $0.action.hasPrefix("match.") && $0.action != "match.run" }.allSatisfy { $0.actor == "sam" })
        // Back on the queue only the skipped pair is left.
        let queue = try f.send("q")
        #expect(queue.contains("1 open pairs"))
        #expect(queue.contains("│▌\(open[2]) "))
        #expect(queue.contains("skipped"))
    }

    @Test func approvingJoinsTheGoldenRecordsAndGOpensIt() throws {
        let f = try ReviewFixture()
        let alice = try f.candidate("C3", "C4")
        #expect(try f.golden("C3") != f.golden("C4"))
        try f.send("8 <enter> a")
        let joined = try f.golden("C3")
        #expect(try f.golden("C4") == joined)
        #expect(f.app.message?.text.contains("\(alice.id) approved; both records are now in \(joined)") == true)
        let screen = try f.send("g")
        #expect(screen.contains("Golden record \(joined) · 2 source records"))
        assertTextSnapshot(screen, named: "golden-record")
        #expect(screen.contains("crm:C3"))
        #expect(screen.contains("Alice Jones · alice.j@b.example"))
    }

    @Test func undoReopensTheLastDecisionAndShowsItAgain() throws {
        let f = try ReviewFixture()
        let alice = try f.candidate("C3", "C4")
        try f.send("8 <enter> a")
        #expect(!f.screen.contains("Review \(alice.id)"))
        let screen = try f.send("u")
        #expect(screen.contains("Review \(alice.id) (1 of 4) · reviewed 0 / remaining 4 · approved 0 / rejected 0"))
        #expect(try f.review.detail(alice.id).candidate.status == .open)
        #expect(f.app.message?.text.contains("\(alice.id) is open again") == true)
        let undone = try f.workspace.store.auditEntries(LakeStore.AuditFilter(action: "match.undo"))
        #expect(undone.map(\.target) == [alice.id.description])
        #expect(undone.first?.actor == "sam")
        // Nothing left to undo.
        try f.send("u")
        #expect(f.app.message?.severity == .warning)
        #expect(f.app.message?.text.contains("no decision of this session") == true)
    }

    @Test func blindModeHidesScoresUntilToggledBack() throws {
        let f = try ReviewFixture()
        let alice = try f.candidate("C3", "C4")
        var screen = try f.send("8 b")
        #expect(screen.contains("BLIND"))
        #expect(!screen.contains("prob."))
        #expect(!screen.contains(alice.key))
        screen = try f.send("<enter>")
        #expect(screen.contains("blind mode"))
        #expect(screen.contains("≠ alice.j@b.example"))
        #expect(!screen.contains("probability"))
        #expect(!screen.contains("prior"))
        #expect(!screen.contains("total"))
        #expect(!screen.contains("+SURNAME"))
        // The cluster view hides the links' probabilities too.
        screen = try f.send("c")
        #expect(screen.contains("\(alice.id) crm:C3 ↔ crm:C4"))
        #expect(!screen.contains(ReviewText.probability(alice.probability)))
        screen = try f.send("q b")
        #expect(screen.contains("probability \(ReviewText.probability(alice.probability))"))
        #expect(!screen.contains("BLIND"))
    }

    @Test func aViewerSeesMaskedRecordsAndIsRefusedNamingThePermission() throws {
        let f = try ReviewFixture(user: "vic")
        let alice = try f.candidate("C3", "C4")
        let screen = try f.send("8 <enter>")
        #expect(screen.contains("vic (viewer) · PII masked"))
        #expect(!screen.contains("Alice"))
        #expect(!screen.contains("alice.j@b.example"))
        #expect(screen.contains("A***"))
        // Masked values look alike; the engine still marks the e-mails as different.
        let differing = try #require(f.backend.find("≠"))
        #expect(f.screen.split(separator: "\n")[differing.y].contains("email"))
        try f.send("a")
        #expect(f.app.message?.severity == .error)
        #expect(f.app.message?.text.contains("missing permission decide_merges") == true)
        // The whole refusal shows in the view, not only on the (cut) status line.
        #expect(f.screen.contains("✗ vic (viewer) may not decide merges: missing permission decide_merges"))
        #expect(f.screen.contains("Review \(alice.id) (1 of 4) · reviewed 0"))
        #expect(try f.review.detail(alice.id).candidate.status == .open)
        let refused = try f.workspace.store.auditEntries(LakeStore.AuditFilter(action: "access.refused"))
        #expect(refused.first?.actor == "vic")
        #expect(refused.first?.target == "match.approve \(alice.id)")
        // The golden record and the cluster are masked too.
        let golden = try f.send("g")
        #expect(golden.contains("Golden record \(try f.golden("C3"))"))
        #expect(!golden.contains("Alice"))
        #expect(golden.contains("a***@a.example"))
        #expect(golden.contains("A*** J*** · a***@a.example"))
        // Overriding is refused the same way, and a masked value is no starting point.
        try f.send("o")
        #expect(f.screen.contains("Override"))
        try f.send("Ann <enter>")
        #expect(f.screen.contains("✗ vic (viewer) may not decide merges"))
        #expect(try f.review.golden(try f.golden("C3")).overrides.isEmpty)
        let cluster = try f.send("q c")
        #expect(cluster.contains("Cluster of \(alice.id)"))
        #expect(!cluster.contains("Alice"))
    }

    @Test func aClusterShowsEveryRecordAndTheLinksAndEnterOpensAGoldenRecord() throws {
        let f = try ReviewFixture()
        let robRob = try f.candidate("C1", "C5")
        let bobRob = try f.candidate("C2", "C5")
        let smiths = try f.golden("C1")
        var screen = try f.send("8")
        let rowsAbove = order(try f.review.candidates(status: .open, limit: 100).map(\.id), on: screen).firstIndex(of: robRob.id) ?? 0
        screen = try f.send(String(repeating: "j ", count: rowsAbove) + "<enter>")
        #expect(screen.contains("approving joins a cluster of 3 records in 2 golden records — c shows it"))
        screen = try f.send("c")
        #expect(screen.contains("Cluster of \(robRob.id) · 3 records in 2 golden records"))
        for key in ["C1", "C2", "C5"] { #expect(screen.contains("crm:\(key)")) }
        #expect(screen.contains("Robert Smith"))
        #expect(screen.contains("Rob Smyth"))
        #expect(screen.contains("◆ \(robRob.id) crm:C1 ↔ crm:C5  \(ReviewText.probability(robRob.probability))"))
        #expect(screen.contains("  \(bobRob.id) crm:C2 ↔ crm:C5  \(ReviewText.probability(bobRob.probability))"))
        // The records of one golden record come first, by golden id.
        let first = try #require(f.backend.find("▌\(smiths)"))
        #expect(f.screen.split(separator: "\n")[first.y].contains("crm:C1"))
        screen = try f.send("<enter>")
        #expect(screen.contains("Golden record \(smiths) · 2 source records"))
        #expect(screen.contains("Robert Smith · rob@example.com"))
        #expect(screen.contains("Bob Smith · rob@example.com"))
    }

    @Test func theGoldenViewOverridesAValueAndUnmergesARecord() throws {
        let f = try ReviewFixture()
        let robRob = try f.candidate("C1", "C5")
        let smiths = try f.golden("C1")
        let rowsAbove =
            order(try f.review.candidates(status: .open, limit: 100).map(\.id), on: try f.send("8")).firstIndex(of: robRob.id) ?? 0
        try f.send(String(repeating: "j ", count: rowsAbove) + "c <enter>")
        #expect(f.screen.contains("Golden record \(smiths)"))

        // Override the first name (the first attribute row): the prompt starts from the current value.
        var screen = try f.send("o")
        #expect(screen.contains("Override \(smiths).first_name"))
        screen = try f.send("<ctrl-u> Roberto <enter>")
        let first = try #require(try f.review.golden(smiths).attributes.first { $0.name == "first_name" })
        #expect(first.value == "Roberto" && first.rule == "override" && first.source == nil)
        #expect(screen.contains("✎ override by sam"))
        #expect(screen.contains("Roberto"))
        #expect(screen.contains("1 overridden"))
        let override = try #require(try f.workspace.store.auditEntries(LakeStore.AuditFilter(action: "golden.override")).first)
        #expect(override.target == "\(smiths).first_name" && override.after == "Roberto" && override.actor == "sam")

        // Unmerge the last linked record; an empty reason keeps the dialog open and changes nothing.
        try f.send("G m <enter>")
        #expect(f.screen.contains("an unmerge needs a reason"))
        #expect(try f.golden("C2") == smiths)
        screen = try f.send("<esc> m")
        #expect(screen.contains("Unmerge crm:C2 from \(smiths)"))
        screen = try f.send("different <space> people <enter>")
        let fresh = try f.golden("C2")
        #expect(fresh != smiths)
        #expect(try f.golden("C1") == smiths)
        #expect(f.app.message?.text.contains("crm:C2 split out of \(smiths) into \(fresh)") == true)
        #expect(screen.contains("Golden record \(smiths) · 1 source record"))
        let unmerge = try #require(try f.workspace.store.auditEntries(LakeStore.AuditFilter(action: "golden.unmerge")).first)
        #expect(unmerge.reason == "different people" && unmerge.actor == "sam")
        // o on a source record row, m on an attribute row: the steward is told which row to pick.
        try f.send("g m")
        #expect(f.app.message?.text.contains("select a linked source record") == true)
    }

    @Test func everyReviewScreenHasUniqueActionNamesAndKeys() throws {
        let f = try ReviewFixture()
        for script in ["8", "<enter>", "c", "<enter>", "q q g"] {
            try f.send(script)
            let own = f.app.current.actions
            let actions = f.app.allActions
            #expect(Set(actions.map(\.name)).count == actions.count, "\(f.app.current.title)")
            #expect(actions.allSatisfy { !$0.keys.isEmpty && !$0.help.isEmpty })
            // No key of the screen is bound twice, nor hides a global one.
            let keys = own.flatMap(\.keys)
            #expect(Set(keys).count == keys.count, "\(f.app.current.title)")
            let global = Set(f.app.globalActions.flatMap(\.keys))
            #expect(keys.allSatisfy { !global.contains($0) }, "\(f.app.current.title)")
        }
    }
}
