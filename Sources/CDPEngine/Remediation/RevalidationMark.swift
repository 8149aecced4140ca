import CDPCore
import CDPRepositories
import CDPStore
import Foundation

/// What the lake looked like when `revalidate_quarantine` last finished, in `lake/revalidation.json`: enough
/// to tell which held records could pass now. A held record fails or passes by its own fields, the rules and
/// the sources' settings (and today's date, when a rule compares with `today`), the keys of the sources its
/// reference rules name, and which batch holds the current silver row of its key. So only records new since,
/// records failing a reference rule whose source's silver changed since, and records failing a key rule whose
/// own source's silver changed since can pass now; a change of rules or settings re-checks everything.
///
/// A record a steward changed since was checked as it was changed, against the lake as it was then; what
/// changed in silver after that is in the sources' signatures.
struct RevalidationMark: Codable, Hashable, Sendable {
    /// Which revision of the engine's checks the mark was left by. Raise it whenever a release can judge the same
    /// held record differently against the same rules and lake (a rule's semantics, standardisation, parsing): a
    /// lake revalidated by an older `cdp` then gets one full check, as changed rules do.
    static let checksRevision = 2

    /// SHA-256 of the rules and the sources' settings (and today, when a rule compares with it).
    var fingerprint: String
    /// ``checksRevision`` of the `cdp` that left the mark; 1 for a mark written before it was recorded.
    var revision: Int
    /// Held records with a greater id are new since: checked. Ids grow; one can be reused only after the rows
    /// of a half-written batch are discarded, and such a batch (in `unsettled`) forces a full check.
    var lastRecord: Int64
    /// Per source: what its current silver rows are made of (ingested batches, records released into it).
    var sources: [String: String]
    /// Batches that were landed or being written: their rows may be discarded and written again.
    var unsettled: [Int64: String]

    enum CodingKeys: String, CodingKey {
        case fingerprint, sources, unsettled, revision
        case lastRecord = "last_record"
    }

    init(revision: Int = Self.checksRevision, fingerprint: String, lastRecord: Int64, sources: [String: String], unsettled: [Int64: String]) {
        self.revision = revision
        self.fingerprint = fingerprint
        self.lastRecord = lastRecord
        self.sources = sources
        self.unsettled = unsettled
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        revision = try container.decodeIfPresent(Int.self, forKey: .revision) ?? 1
        fingerprint = try container.decode(String.self, forKey: .fingerprint)
        lastRecord = try container.decode(Int64.self, forKey: .lastRecord)
        sources = try container.decode([String: String].self, forKey: .sources)
        unsettled = try container.decode([Int64: String].self, forKey: .unsettled)
    }

    static let fileName = "revalidation.json"

    /// The mark of the last revalidation that finished, or nil (never, or unreadable: a full check follows).
    static func read(_ lakeFolder: URL) -> RevalidationMark? {
        guard let data = FileManager.default.contents(atPath: lakeFolder.appendingPathComponent(fileName).path) else { return nil }
        return try? JSONDecoder().decode(RevalidationMark.self, from: data)
    }

    /// - Throws: `.store` when the file cannot be written.
    func write(_ lakeFolder: URL) throws(EngineError) {
        let file = lakeFolder.appendingPathComponent(Self.fileName)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try encoder.encode(self).write(to: file, options: .atomic)
        } catch {
            throw EngineError(.store, "cannot write \(file.path): \(error.localizedDescription); the next revalidation checks every held record")
        }
    }
}

/// Which held records a revalidation checks, and the mark it leaves.
struct RevalidationScope {
    /// nil: every open record.
    var records: [QuarantineID]?
    /// Why everything is checked (`--full`, rules changed, …), for the run's log; nil when incremental.
    var fullBecause: String?
    var mark: RevalidationMark

    /// Reads the lake's state now (before the held records are read, so whatever changes meanwhile counts as
    /// changed next time) and compares it with the last mark.
    static func decide(_ workspace: Workspace, today: String, full: Bool, openIDs: () throws(EngineError) -> [Int64])
        throws(EngineError) -> RevalidationScope
    {
        let lake = workspace.repositories
        let batches = try storeCall { () throws(StoreError) in try lake.batches.batches() }
        var sources: [String: String] = [:]
        for source in workspace.configuration.sources {
            // Which records were released into silver, with their keys: a count alone misses one released and
            // another reopened between two runs, or a record reopened, its key edited and released again.
            let released = try storeCall { () throws(StoreError) in
                try lake.quarantine.quarantineRecords(QuarantineFilter(source: source.name, statuses: [.released], limit: Int.max))
            }
            let ingested = batches.filter { $0.source == source.name && $0.state == .ingested }.map { "\($0.id.rawValue)" }
            let releasedKeys = released.sorted { $0.id.rawValue < $1.id.rawValue }.map { "\($0.id.rawValue)=\($0.sourceKey)" }
            sources[source.name.rawValue] =
                "batches \(ingested.joined(separator: ",")); released \(released.count) \(FileDigest.sha256(of: Data(releasedKeys.joined(separator: "\n").utf8)))"
        }
        let unsettled = Dictionary(
            batches.filter { $0.state == .landed || $0.state == .ingesting }.map { ($0.id.rawValue, $0.state.rawValue) },
            uniquingKeysWith: { first, _ in first })
        let fingerprint = Self.fingerprint(workspace, today: today)
        let ids = try openIDs()
        let previous = RevalidationMark.read(workspace.lakeFolder)
        var mark = RevalidationMark(
            fingerprint: fingerprint, lastRecord: max(ids.last ?? 0, previous?.lastRecord ?? 0), sources: sources, unsettled: unsettled)
        let reason: String?
        if full {
            reason = "a full run (--full)"
        } else if let previous {
            if previous.revision != RevalidationMark.checksRevision {
                reason = "the engine's checks changed since the last revalidation (revision \(previous.revision) → \(RevalidationMark.checksRevision))"
            } else if previous.fingerprint != fingerprint {
                reason = "the rules or the sources' settings changed"
            } else if previous.unsettled.contains(where: { id, state in
                batches.first { $0.id.rawValue == id }?.state.rawValue != state
            }) {
                reason = "a half-written batch was written again"
            } else {
                reason = nil
            }
        } else {
            reason = "no earlier revalidation to start from"
        }
        guard reason == nil, let previous else {
            // A full check starts from no record: the mark's threshold is what is held now.
            mark.lastRecord = ids.last ?? 0
            return RevalidationScope(records: nil, fullBecause: reason, mark: mark)
        }
        let changed = Set(sources.filter { previous.sources[$0.key] != $0.value }.map { SourceName($0.key) })
        var selected = Set(ids.filter { $0 > previous.lastRecord })
        for source in workspace.configuration.sources {
            for rule in workspace.rules.rules(for: source.name) {
                let affected: Bool
                switch rule.check {
                case .reference(_, let target): affected = changed.contains(target)
                case .unique(let field): affected = field == RuleFieldName.sourceKey && changed.contains(source.name)
                default: affected = false
                }
                guard affected else { continue }
                let held = try storeCall { () throws(StoreError) in
                    try lake.quarantine.quarantineIDs(
                        QuarantineFilter(source: source.name, rule: rule.name, statuses: [.open], limit: Int.max), order: .id, ascending: true)
                }
                selected.formUnion(held)
            }
        }
        return RevalidationScope(records: selected.sorted().map { QuarantineID($0) }, fullBecause: nil, mark: mark)
    }

    /// SHA-256 of what every held record is checked against besides the lake: the sources' settings, the rules,
    /// and today's date when a rule compares with `today`.
    static func fingerprint(_ workspace: Workspace, today: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = (try? encoder.encode(workspace.configuration)) ?? Data()
        data += (try? encoder.encode(workspace.rules)) ?? Data()
        let usesToday = workspace.rules.rules.contains { rule in
            if case .range(_, let min, let max) = rule.check { return min == .today || max == .today }
            return false
        }
        if usesToday { data += Data("today \(today)".utf8) }
        return FileDigest.sha256(of: data)
    }
}
