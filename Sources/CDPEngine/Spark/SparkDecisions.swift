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
/// - `{"kind":"release","source":…,"batch":…,"line":N,"source_key":…,"fields":{…}}`: a held record a steward fixed and
///   released (``SparkRelease``): the ingest checks that row of that file with the steward's values, so it reaches
///   silver, and matching, on Spark as it did in the lake.
public struct SparkDecisions: Sendable, Hashable {
    public var decisions = 0
    public var overrides = 0
    public var goldenLinks = 0
    public var releases = 0

    /// The file's name beside `job.json`.
    public static let fileName = "decisions.jsonl"

    /// Writes the lake's decisions, overrides, released records and golden ids into `file`, readable by its owner only.
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
        for release in try releases(in: workspace) {
            var line = #"{"kind":"release""#
            line += ",\"source\":\(quoted(release.source)),\"batch\":\(quoted(release.batch)),\"line\":\(release.line)"
            line += ",\"source_key\":\(quoted(release.sourceKey)),\"fields\":{"
            line += release.fields.sorted { $0.key < $1.key }.map { "\(quoted($0.key)):\(quoted($0.value))" }.joined(separator: ",")
            text += line + "}}\n"
            counts.releases += 1
        }
        let next = try storeCall { () throws(StoreError) in try matching.nextGoldenID() }
        text += "{\"kind\":\"next_golden\",\"golden\":\(next.rawValue)}\n"
        guard FileManager.default.createFile(atPath: file.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw EngineError(.workspace, "cannot write the steward decisions for Spark to \(file.path); check that its folder is writable")
        }
        return counts
    }

    /// Every record a steward released from quarantine, with the file (by Spark's batch id) and line it was held at.
    static func releases(in workspace: Workspace) throws(EngineError) -> [SparkRelease] {
        let released = try storeCall { () throws(StoreError) in
            try workspace.repositories.quarantine.quarantineRecords(QuarantineFilter(statuses: [.released], limit: Int.max))
        }
        var batches: [BatchID: String] = [:]
        var releases: [SparkRelease] = []
        for record in released {
            if batches[record.batch] == nil {
                let batch = try storeCall { () throws(StoreError) in try workspace.repositories.batches.batch(record.batch) }
                batches[record.batch] = batch.map { String($0.sha256.prefix(16)) } ?? ""
            }
            releases.append(SparkRelease(
                source: record.source.rawValue, batch: batches[record.batch] ?? "", line: record.line, sourceKey: record.sourceKey,
                fields: record.fields))
        }
        return releases
    }

    /// Writes the lake's steward work beside a job being written into `folder` (``write(from:to:)``) and names the file
    /// in the job, so the driver applies it wherever the job is submitted.
    /// - Throws: `EngineError` when the lake cannot be read or the file written.
    public static func hand(from workspace: Workspace, to folder: URL, job: inout SparkJob) throws(EngineError) -> SparkDecisions {
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw EngineError(.workspace, "cannot make \(folder.path) for the Spark job: \(error.localizedDescription)")
        }
        let counts = try write(from: workspace, to: folder.appendingPathComponent(fileName))
        job.decisions = fileName
        return counts
    }

    /// What the job carries, for the person submitting it.
    public var summary: String {
        "\(decisions) steward decisions, \(overrides) overrides, \(releases) released records and \(goldenLinks) golden ids from the lake"
    }

    static func quoted(_ text: String) -> String { SparkMatchWorker.quoted(text) }
}
