import CDPCore
import CDPRepositories
import Foundation
import GRDB

/// Reads the steward's review needs beyond one candidate: which golden record each record is in and how
/// big it is, and the links (candidates, decisions) among the records of a proposed cluster.
extension LakeStore {
    /// The current golden record of each of `records` (records without one are left out).
    public func goldenMemberships(of records: [SourceRecordID]) throws(StoreError) -> [SourceRecordID: GoldenMembership] {
        try read("read golden memberships") { db in
            let statement = try db.makeStatement(
                sql: """
                    SELECT x.golden_id, g.member_count FROM golden_xref x JOIN golden_record g ON g.id = x.golden_id
                    WHERE x.source = ? AND x.source_key = ? AND x.valid_to_run IS NULL
                    """)
            var result: [SourceRecordID: GoldenMembership] = [:]
            for record in records where result[record] == nil {
                guard let row = try Row.fetchOne(statement, arguments: [record.source.rawValue, record.key]) else { continue }
                result[record] = GoldenMembership(golden: GoldenID(row[0] as Int64), memberCount: row[1])
            }
            return result
        }
    }

    /// The current members of a golden record, by source and key.
    public func goldenMembers(of golden: GoldenID) throws(StoreError) -> [SourceRecordID] {
        try read("read golden members") { db in
            try Row.fetchAll(
                db,
                sql: "SELECT source, source_key FROM golden_xref WHERE golden_id = ? AND valid_to_run IS NULL ORDER BY source, source_key",
                arguments: [golden.rawValue]
            ).map { SourceRecordID(source: SourceName($0[0] as String), key: $0[1]) }
        }
    }

    /// Every candidate, whatever its status, whose two records are both in `records`, by id.
    public func candidates(among records: [SourceRecordID]) throws(StoreError) -> [CandidateRow] {
        guard records.count > 1 else { return [] }
        let names = Self.uniqueDescriptions(records)
        return try read("read candidates among records") { db in
            let marks = Self.placeholders(names.count)
            return try Row.fetchAll(
                db, sql: "SELECT * FROM match_candidate WHERE record_a IN (\(marks)) AND record_b IN (\(marks)) ORDER BY id",
                arguments: StatementArguments(names + names)
            ).compactMap(Self.candidateRow)
        }
    }

    /// Every steward decision between two of `records` (match, or not a match and unmerges).
    public func pairDecisions(among records: [SourceRecordID]) throws(StoreError) -> [PairDecision] {
        guard records.count > 1 else { return [] }
        let names = Self.uniqueDescriptions(records)
        return try read("read pair decisions among records") { db in
            let marks = Self.placeholders(names.count)
            return try Row.fetchAll(
                db, sql: "SELECT * FROM pair_decision WHERE record_a IN (\(marks)) AND record_b IN (\(marks)) ORDER BY record_a, record_b",
                arguments: StatementArguments(names + names)
            ).compactMap { row in
                guard let a = SourceRecordID(parsing: row["record_a"]), let b = SourceRecordID(parsing: row["record_b"]),
                    let decision = PairDecisionKind(rawValue: row["decision"])
                else { return nil }
                return PairDecision(
                    a: a, b: b, decision: decision, reason: row["reason"], decidedBy: row["decided_by"], decidedAt: row["decided_at"])
            }
        }
    }

    /// `source:key` texts as candidate and decision rows store them, each once.
    private static func uniqueDescriptions(_ records: [SourceRecordID]) -> [String] {
        var seen = Set<String>()
        return records.map(\.description).filter { seen.insert($0).inserted }
    }

    private static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }
}
