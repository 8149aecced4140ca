import CDPCore
import CDPRepositories
import Foundation

/// The steward's work a Spark run applies, read from the workspace's lake and handed to the driver as JSON lines
/// (`decisions.jsonl` beside `job.json`), so review work done in the console is never lost on Spark:
/// - `{"kind":"decision","n":I,"a_source":…,"a_key":…,"b_source":…,"b_key":…,"decision":"match"|"no_match"}`: an
///   approved pair always joins, a rejected (or unmerged) one never does; `n` keeps the lake's order, which
///   clustering's ties follow.
/// - `{"kind":"golden","source":…,"source_key":…,"golden":G}`: each customer's current golden id, the previous ids the
///   run's clusters claim (so the lake's ids, and the overrides keyed by them, carry over);
///   `{"kind":"next_golden","golden":N}`: the first id the lake never gave.
/// - `{"kind":"override","golden":G,"attribute":A,"value":V}`: a steward's value, which survives whatever the sources say.
public struct SparkDecisions: Sendable, Hashable {
    public var decisions = 0
    public var overrides = 0
    public var goldenLinks = 0

    /// The file's name beside `job.json`.
    public static let fileName = "decisions.jsonl"

    /// Writes the lake's decisions, overrides and golden ids into `file`, readable by its owner only.
    /// - Throws: `EngineError` when the lake cannot be read or the file written.
    public static func write(from workspace: Workspace, to file: URL) throws(EngineError) -> SparkDecisions {
        let matching = workspace.repositories.matching
        var counts = SparkDecisions()
        var text = ""
        let decisions = try storeCall { () throws(StoreError) in try matching.pairDecisions() }
        for (index, decision) in decisions.enumerated() {
            text += "{\"kind\":\"decision\",\"n\":\(index),\"a_source\":\(quoted(decision.a.source.rawValue)),\"a_key\":\(quoted(decision.a.key))"
            text += ",\"b_source\":\(quoted(decision.b.source.rawValue)),\"b_key\":\(quoted(decision.b.key))"
            text += ",\"decision\":\(quoted(decision.decision.rawValue))}\n"
        }
        counts.decisions = decisions.count
        let overrides = try storeCall { () throws(StoreError) in try matching.goldenOverrides() }
        for golden in overrides.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            for (attribute, value) in (overrides[golden] ?? [:]).sorted(by: { $0.key < $1.key }) {
                text += "{\"kind\":\"override\",\"golden\":\(golden.rawValue),\"attribute\":\(quoted(attribute)),\"value\":\(quoted(value))}\n"
                counts.overrides += 1
            }
        }
        try storeCall { () throws(StoreError) in
            try matching.forEachGoldenLink { record, golden in
                text += "{\"kind\":\"golden\",\"source\":\(quoted(record.source.rawValue)),\"source_key\":\(quoted(record.key)),\"golden\":\(golden.rawValue)}\n"
                counts.goldenLinks += 1
            }
        }
        let next = try storeCall { () throws(StoreError) in try matching.nextGoldenID() }
        text += "{\"kind\":\"next_golden\",\"golden\":\(next.rawValue)}\n"
        guard FileManager.default.createFile(atPath: file.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw EngineError(.workspace, "cannot write the steward decisions for Spark to \(file.path); check that its folder is writable")
        }
        return counts
    }

    static func quoted(_ text: String) -> String { SparkMatchWorker.quoted(text) }
}
