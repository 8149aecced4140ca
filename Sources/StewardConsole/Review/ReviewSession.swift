import CDPCore
import CDPEngine
import CDPRepositories
import Foundation
import TermUI

/// One steward's sitting at the merge review: the queue as last read, what they decided here (for the
/// counter and for undo), what they skipped, and whether scores are hidden. The queue screen owns it and
/// hands it to the candidate, cluster and golden screens it opens, so every screen of the tab counts the
/// same decisions.
final class ReviewSession {
    /// The open candidates, most uncertain first, with what the counter and the cluster column need.
    struct Queue: Sendable {
        var rows: [CandidateRow]
        var counts: [CandidateStatus: Int]
        var memberships: [SourceRecordID: GoldenMembership]
        /// The probability the queue is ordered around.
        var centre: Double
        /// Each record's person, "first last", masked as the steward reads.
        var names: [SourceRecordID: String] = [:]
    }

    /// A decision taken in this session, newest last.
    struct Decision {
        var candidate: CandidateID
        var status: CandidateStatus
        /// For an approval, the golden record both records joined.
        var golden: GoldenID?
    }

    /// How many candidates the queue reads; the counter still counts every open one.
    static let queueLimit = 500

    private(set) var queue: Queue?
    private(set) var loadError: String?
    private var reading: BackgroundRead<Queue, EngineError>?
    private var loadedGeneration: Int?

    /// Hides probabilities, weights and keys so the steward judges the records alone.
    var blind = false
    private(set) var decisions: [Decision] = []
    /// The engine's refusal of the last decision or undo (the status line cuts long messages; the
    /// candidate view shows it whole). Nil after one that went through.
    private(set) var lastRefusal: String?
    private(set) var skipped: Set<CandidateID> = []

    var approvals: Int { decisions.count { $0.status == .approved } }
    var rejections: Int { decisions.count { $0.status == .rejected } }
    /// Open candidates in the lake (all of them, not only those read).
    var remaining: Int { queue?.counts[.open] ?? 0 }

    /// The golden record of the latest approval in this session.
    var lastApprovedGolden: GoldenID? { decisions.last { $0.status == .approved }?.golden }

    /// `reviewed 3 / remaining 12 · approved 2 / rejected 1`, plus skips and blind mode when there are.
    var counterText: String {
        var text = "reviewed \(decisions.count) / remaining \(remaining) · approved \(approvals) / rejected \(rejections)"
        if !skipped.isEmpty { text += " · skipped \(skipped.count)" }
        if blind { text += " · BLIND" }
        return text
    }

    /// The status of a candidate as decided in this session; nil when it was not.
    func decided(_ id: CandidateID) -> CandidateStatus? {
        decisions.last { $0.candidate == id }?.status
    }

    /// Records in the cluster approving `row` would make, from the memberships read with the queue.
    func clusterSize(_ row: CandidateRow) -> Int {
        let a = queue?.memberships[row.a], b = queue?.memberships[row.b]
        if let a, let b, a.golden == b.golden { return a.memberCount }
        return (a?.memberCount ?? 1) + (b?.memberCount ?? 1)
    }

    // MARK: Reading the queue

    /// Reads the queue in the background when it was never read or the console changed the lake since,
    /// waiting a moment so a small queue shows in the first frame.
    func refreshIfStale(_ app: ConsoleApp) {
        guard loadedGeneration != app.dataGeneration else { return }
        loadedGeneration = app.dataGeneration
        let centre: Double
        do {
            centre = try MatchReview(workspace: app.workspace, environment: app.environment).uncertaintyCentre()
        } catch {
            loadError = ConsoleApp.describe(error)
            return
        }
        let reader = app.reader
        reading = BackgroundRead { () throws(EngineError) in
            let rows = try reader.candidates(status: .open, limit: Self.queueLimit, around: centre)
            let records = rows.flatMap { [$0.a, $0.b] }
            var names: [SourceRecordID: String] = [:]
            for person in try reader.customerRecords(Array(Set(records)).sorted()) {
                names[SourceRecordID(source: person.source, key: person.sourceKey)] =
                    [person.firstName, person.lastName].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            }
            return Queue(
                rows: rows, counts: try reader.candidateCounts(), memberships: try reader.goldenMemberships(of: records),
                centre: centre, names: names)
        }
        if let result = reading?.wait(timeout: 0.1) { take(result) }
    }

    /// Takes a finished read; true when the queue changed. Never waits.
    @discardableResult
    func takeFinishedRead() -> Bool {
        guard let reading, let result = reading.result else { return false }
        take(result)
        return true
    }

    /// Waits for a read under way (tests).
    func waitForQueue() {
        if let reading { take(reading.wait()) }
    }

    var isReading: Bool { reading != nil }

    private func take(_ result: Result<Queue, EngineError>) {
        reading = nil
        switch result {
        case .success(let queue):
            self.queue = queue
            loadError = nil
        case .failure(let failure):
            loadError = failure.description
        }
    }

    /// Re-reads the counts after a decision, so the counter's "remaining" is the lake's.
    private func refreshCounts(_ app: ConsoleApp) {
        guard let counts = try? app.reader.candidateCounts() else { return }
        queue?.counts = counts
    }

    // MARK: Deciding

    private func review(_ app: ConsoleApp, takingOver: Bool = false) -> MatchReview {
        MatchReview(workspace: app.workspace, environment: app.environment, takingOverHolds: takingOver)
    }

    /// Approves through the engine; false (with the engine's message on the status line) when refused.
    func approve(_ id: CandidateID, app: ConsoleApp, takingOver: Bool = false, then advance: (() -> Void)? = nil) -> Bool {
        do {
            let golden = try review(app, takingOver: takingOver).approve(id)
            decisions.append(Decision(candidate: id, status: .approved, golden: golden))
            changed(app)
            let joined = golden.map { "; both records are now in \($0) (g opens it)" } ?? ""
            app.message = StatusMessage("\(id) approved\(joined)", severity: .success)
            return true
        } catch where error.code == .held && !takingOver {
            WorkActions.askToTakeOver(error, app: app) { [weak self, weak app] in
                guard let self, let app else { return }
                if self.approve(id, app: app, takingOver: true) { advance?() }
            }
            return false
        } catch {
            refused(error, app)
            return false
        }
    }

    /// Rejects through the engine; false (with the engine's message on the status line) when refused.
    func reject(_ id: CandidateID, app: ConsoleApp, takingOver: Bool = false, then advance: (() -> Void)? = nil) -> Bool {
        do {
            try review(app, takingOver: takingOver).reject(id)
            decisions.append(Decision(candidate: id, status: .rejected))
            changed(app)
            app.message = StatusMessage("\(id) rejected; the pair will not be proposed again", severity: .success)
            return true
        } catch where error.code == .held && !takingOver {
            WorkActions.askToTakeOver(error, app: app) { [weak self, weak app] in
                guard let self, let app else { return }
                if self.reject(id, app: app, takingOver: true) { advance?() }
            }
            return false
        } catch {
            refused(error, app)
            return false
        }
    }

    func skip(_ id: CandidateID, app: ConsoleApp) {
        skipped.insert(id)
        lastRefusal = nil
        app.message = StatusMessage("\(id) skipped; it stays open")
    }

    /// Takes back the latest decision of this session through the engine. Returns the candidate reopened.
    func undo(app: ConsoleApp) -> CandidateID? {
        guard let last = decisions.last else {
            app.message = StatusMessage("no decision of this session to undo", severity: .warning)
            return nil
        }
        do {
            try review(app).undo(last.candidate)
            decisions.removeLast()
            changed(app)
            let follow = last.status == .approved ? "; golden records follow at the next match run" : ""
            app.message = StatusMessage("\(last.candidate) is open again (\(last.status.rawValue) undone)\(follow)", severity: .success)
            return last.candidate
        } catch {
            refused(error, app)
            return nil
        }
    }

    private func refused(_ error: any Error, _ app: ConsoleApp) {
        app.report(error)
        lastRefusal = ConsoleApp.describe(error)
    }

    /// Forgets the last refusal (the steward moved on).
    func clearRefusal() { lastRefusal = nil }

    private func changed(_ app: ConsoleApp) {
        lastRefusal = nil
        // Every screen re-reads what it shows; the queue when its screen shows again, the counter now.
        app.dataGeneration += 1
        refreshCounts(app)
    }

    // MARK: Bulk decisions

    /// The latest bulk decision of this session and how many single decisions there were when it ended: `u`
    /// undoes it whole while no single decision came after it.
    private(set) var lastBulk: (outcome: BulkPairOutcome, afterDecisions: Int)?

    /// The bulk decision `u` undoes next, if it is the latest action of this session.
    var bulkToUndo: BulkPairOutcome? {
        guard let lastBulk, lastBulk.afterDecisions == decisions.count, !lastBulk.outcome.applied.isEmpty else { return nil }
        return lastBulk.outcome
    }

    func recordBulk(_ outcome: BulkPairOutcome) {
        lastBulk = (outcome, decisions.count)
        lastRefusal = nil
    }

    func forgetBulk() { lastBulk = nil }

    /// Forces the next ``refreshIfStale(_:)`` to read (the queue screen on reload).
    func invalidate() { loadedGeneration = nil }
}
