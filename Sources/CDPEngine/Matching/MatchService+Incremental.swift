import CDPCore
import CDPRepositories
import Foundation

/// Incremental matching: a pipeline run scores only the pairs that touch new or changed records, with the model the
/// last training left, and clusters every record again from those pairs and the last run's (`MatchState`).
extension MatchService {
    /// How a match run goes about it.
    public enum Scope: Sendable {
        /// Trains the model and scores every pair; `because` says why (the run's log shows it).
        case whole(because: String)
        /// Scores only the pairs that touch new or changed records, with the model kept from the last training, when
        /// the last run left what that needs and few enough records changed since the training (`retrainShare`);
        /// whole otherwise, saying why.
        case incremental
        /// Scores every pair with the model kept from the last training (nothing trained): what an incremental run
        /// must equal; whole when no model is kept.
        case pinnedWhole
    }

    /// Past this share of the records new or changed since the model was trained (summed over the runs since), an
    /// incremental run trains the model again and scores every pair.
    public static let defaultRetrainShare = 0.10

    /// Where a match run starts from.
    enum Start {
        /// Train and score every pair.
        case whole(because: String)
        /// Score with `state`'s pinned model: the pairs `scope` says, or with no scope every pair. `changed`: the records
        /// new or changed since the run that left `state`.
        case pinned(MatchState, scope: MatchPipeline.IncrementalScope?, changed: Int)

        var wholeBecause: String? {
            if case .whole(let because) = self { return because }
            return nil
        }
    }

    /// Where a run of `scope` starts from, given the records and their versions (`MatchRecords.versions`).
    /// - Throws: what the store throws reading the last run's state.
    func start(_ scope: Scope, records: MatchRecords, versions: [Int64], configuration: MatchingConfiguration) throws(EngineError) -> Start {
        if case .whole(let because) = scope { return .whole(because: because) }
        let matching = workspace.repositories.matching
        guard matching.keepsMatchState else { return .whole(because: "this store does not keep the last match run's scored pairs") }
        guard let bytes = try storeCall({ () throws(StoreError) in try matching.matchState() }) else {
            return .whole(because: "no earlier match run left its scored pairs")
        }
        guard let state = MatchState(decoding: bytes), state.oversized.count == configuration.blocking.rules.count else {
            return .whole(because: "what the last match run left is of another version of cdp")
        }
        guard state.configurationDigest == MatchState.digest(configuration) else {
            return .whole(because: "\(MatchingConfigurationLoader.path) changed since match run \(MatchRunID(rawValue: state.trainedRun)) trained the model")
        }
        let changed = state.changedRecords(versions)
        let changedCount = changed.count { $0 }
        guard case .incremental = scope else { return .pinned(state, scope: nil, changed: changedCount) }
        let sinceTraining = state.changedSinceTraining + changedCount
        guard Double(sinceTraining) <= retrainShare * Double(records.count) else {
            return .whole(
                because: "\(sinceTraining) of \(records.count) records are new or changed since match run \(MatchRunID(rawValue: state.trainedRun)) trained the model, "
                    + "more than \(Self.percent(retrainShare))")
        }
        let scope = state.scope(versions: versions, changed: changed)
        return .pinned(state, scope: scope, changed: changedCount)
    }

    /// What this run leaves for the next: the model it trained (or the pinned one it used), its records' versions, its
    /// oversized blocks' records and its kept pairs, by version.
    static func leftState(
        after start: Start, run: MatchRunID, outcome: MatchPipeline.Outcome, versions: [Int64], configuration: MatchingConfiguration
    ) -> MatchState {
        let pinned: PinnedModel
        let trainedRun: Int64
        let changedSinceTraining: Int
        switch start {
        case .whole:
            pinned = PinnedModel(model: outcome.model, termFrequencies: TermFrequencySnapshot(outcome.scorer.comparator))
            trainedRun = run.rawValue
            changedSinceTraining = 0
        case .pinned(let state, _, let changed):
            pinned = state.pinned
            trainedRun = state.trainedRun
            changedSinceTraining = state.changedSinceTraining + changed
        }
        return MatchState(
            leftBy: outcome, versions: versions, trainedRun: trainedRun, configurationDigest: MatchState.digest(configuration),
            pinned: pinned, changedSinceTraining: changedSinceTraining)
    }

    /// What the run's log says of how the match went about it.
    public static func scopeMessage(_ report: Report) -> String {
        if let because = report.wholeBecause { return "matched every record and trained the model: \(because)" }
        let changed = report.changedRecords ?? 0
        let model = report.modelRun.map { " with the model match run \($0) trained" } ?? ""
        guard let rescored = report.rescoredPairs else {
            return "scored every pair again\(model) (\(changed) record\(changed == 1 ? "" : "s") new or changed)"
        }
        return "scored the \(rescored) pair\(rescored == 1 ? "" : "s") touching the \(changed) new or changed record\(changed == 1 ? "" : "s")"
            + "\(model); the other pairs kept their scores"
    }

    static func percent(_ share: Double) -> String { String(format: "%g%%", share * 100) }
}
