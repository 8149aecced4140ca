import Foundation
import Testing

@testable import CDPCore

/// The column-wise golden records against the reference `Survivorship.goldenAttributes` and its JSON.
@Suite struct MatchingGoldenTests {
    /// Records with few distinct values (so rules tie and tie-breaks matter), text that needs escaping, a
    /// source missing from the trust order, and update times missing, equal, or non-ASCII.
    static func randomRecords(_ count: Int, seed: UInt64) -> MatchRecords {
        var random = SeededRandom(seed: seed)
        func pick<T>(_ values: [T]) -> T { values[Int(random.next() % UInt64(values.count))] }
        let inputs = (0..<count).map { index in
            MatchInput(
                source: pick(["crm", "web", "shop"]), sourceKey: pick(["K\(index)", "K\"\(index)\\", "K\(index)\n"]),
                firstName: pick(["Ann", "Anne", "Zoë", "Ann", nil]), lastName: pick(["Smith", "O\"Brien", "Back\\slash", nil]),
                email: pick(["a@x.com", "b@x.com", nil]), phone: pick(["+441", "+442", nil]), birthDate: pick(["1980-01-02", "1980-02-01", nil]),
                street: pick(["1 Long Street", "1 Long St", "Tab\tStreet", "Ünter Straße", nil]), city: pick(["Leeds", "York", "\u{01}odd", nil]),
                postcode: pick(["LS1", "YO1", nil]), country: pick(["GB", "IE", nil]),
                updatedAt: pick(["2024-01-01T00:00:00Z", "2023-06-01T00:00:00Z", "2024-01-01T00:00:00Z", "2024-é", nil]))
        }
        return MatchRecords(inputs)
    }

    static let policies: [SurvivorshipPolicy] = SurvivorshipRule.allCases.map { rule in
        SurvivorshipPolicy(
            sourceOrder: ["crm", "web"], rules: ["first_name": .mostFrequent, "street": .mostComplete, "email": .mostRecent], defaultRule: rule)
    }

    /// Random clusters of 1 to 6 records, as labels (each cluster's smallest record).
    static func randomLabels(_ count: Int, seed: UInt64) -> [Int32] {
        var random = SeededRandom(seed: seed)
        var labels = (0..<count).map { Int32($0) }
        for record in 0..<count where random.next() % 3 != 0 {
            let partner = Int(random.next() % UInt64(count))
            let (low, high) = (min(record, partner), max(record, partner))
            let target = labels[low]
            let source = labels[high]
            for index in 0..<count where labels[index] == source { labels[index] = target }
        }
        // Relabel to the smallest member.
        var smallest: [Int32: Int32] = [:]
        for (record, label) in labels.enumerated() where smallest[label] == nil { smallest[label] = Int32(record) }
        return labels.map { smallest[$0]! }
    }

    @Test(arguments: 0..<SurvivorshipRule.allCases.count)
    func theColumnKernelChoosesWhatTheReferenceChooses(policyIndex: Int) {
        let records = Self.randomRecords(300, seed: UInt64(policyIndex + 1))
        let labels = Self.randomLabels(records.count, seed: UInt64(policyIndex + 100))
        let policy = Self.policies[policyIndex]
        let survivorship = Survivorship(policy: policy, records: records)
        let set = GoldenRecordSet(clusterOf: labels, survivorship: survivorship, threads: 2)
        #expect(set.count == Set(labels).count)
        #expect(set.members.count == records.count)
        let writer = GoldenJSONWriter(set: set, records: records, policy: policy)
        var buffer: [UInt8] = []
        writer.withCursor { cursor in
            for cluster in 0..<set.count {
                let members = set.members(of: cluster).map { Int($0) }
                #expect(members == members.sorted())
                #expect(members.allSatisfy { labels[$0] == Int32(members[0]) })
                let overrides: [String: String]? = cluster % 7 == 0 ? ["city": "Over\"ride", "country": "FR"] : nil
                let reference = survivorship.goldenAttributes(members, overrides: overrides ?? [:])
                cursor.write(cluster: cluster, overrides: overrides, into: &buffer)
                #expect(String(decoding: buffer, as: UTF8.self) == GoldenAttribute.json(reference), "cluster \(members)")
            }
        }
    }

    @Test func recordsAreFoundBySourceAndKeyBytes() {
        let records = MatchRecords([
            MatchInput(source: "crm", sourceKey: "C1"), MatchInput(source: "web", sourceKey: "C1"), MatchInput(source: "crm", sourceKey: "Zoë"),
            MatchInput(source: "crm", sourceKey: "C1"),
        ])
        let index = SourceRecordIndex(records)
        // A key held twice keeps the last record, as a dictionary would.
        #expect(index[SourceRecordID(source: "crm", key: "C1")] == 3)
        #expect(index[SourceRecordID(source: "web", key: "C1")] == 1)
        #expect(index[SourceRecordID(source: "crm", key: "Zoë")] == 2)
        #expect(index[SourceRecordID(source: "crm", key: "C2")] == nil)
        #expect(index[SourceRecordID(source: "shop", key: "C1")] == nil)
        let many = MatchRecords((0..<5_000).map { MatchInput(source: $0 % 2 == 0 ? "a" : "b", sourceKey: "K\($0 / 2)") })
        let manyIndex = SourceRecordIndex(many)
        #expect((0..<many.count).allSatisfy { manyIndex[many.id(of: $0)] == Int32($0) })
    }

    @Test func theHandWrittenExplanationIsWhatJSONEncoderWrites() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var random = SeededRandom(seed: 3)
        func number() -> Double {
            let magnitude = pow(10, Double(Int(random.next() % 30)) - 15)
            return (Double(random.next() % 2_000_001) / 1_000_000 - 1) * magnitude
        }
        for round in 0..<300 {
            let terms = (0..<Int(random.next() % 8)).map { index in
                MatchExplanation.Term(
                    comparison: ["first name", "a \"quoted\"\tname", "back\\slash/\u{01}\u{08}\u{0C}"][index % 3], tag: "T\(index)", level: index,
                    label: ["exact", "Jaro-Winkler ≥ 0.92", "≤ 1 edits"][index % 3], weight: round == 0 ? 2 : number(),
                    termFrequencyAdjustment: index % 2 == 0 ? number() : nil)
            }
            let explanation = MatchExplanation(terms: terms, priorWeight: number(), totalWeight: number(), probability: abs(number()))
            let encoded = String(decoding: try encoder.encode(explanation), as: UTF8.self)
            #expect(explanation.json == encoded)
        }
    }

    @Test func rangesCoverEveryIndexOnce() {
        for count in [0, 1, 2, 7, 100] {
            for parts in [1, 2, 3, 8] {
                let ranges = Parallel.ranges(count: count, parts: parts)
                #expect(ranges.flatMap { Array($0) } == Array(0..<count))
                #expect(ranges.count <= parts)
            }
        }
    }
}
