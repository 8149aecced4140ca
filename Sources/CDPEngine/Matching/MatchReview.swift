import CDPCore
import CDPStore
import Foundation

/// What stewards do with matches, through the engine so every decision is audited: the review queue
/// (ordered by uncertainty), a candidate's detail, approve / reject / undo, golden records, unmerge and
/// override. The CLI and the console both call this.
public struct MatchReview: Sendable {
    public let workspace: Workspace
    public let environment: Environment

    public init(workspace: Workspace, environment: Environment) {
        self.workspace = workspace
        self.environment = environment
    }

    var store: LakeStore { workspace.store }

    /// The current golden records against a truth table.
    /// - Throws: `EngineError.refused` when nothing has been matched yet.
    public func evaluate(truth: TruthTable) throws(EngineError) -> MatchEvaluation {
        var predicted: [Int32] = []
        var labels: [Int32?] = []
        try storeCall { () throws(StoreError) in
            try store.forEachGoldenLink { record, golden in
                predicted.append(Int32(truncatingIfNeeded: golden.rawValue))
                labels.append(truth[record])
            }
        }
        guard !predicted.isEmpty else {
            throw EngineError(.refused, "there are no golden records to evaluate yet; run `cdp match run` first")
        }
        return MatchEvaluation(predicted: predicted, truth: labels)
    }
}
