import Foundation
import Testing

@testable import CDPCore

/// Comparisons, blocking keys and hard identifiers on an extra attribute (`attributes.<name>`).
@Suite struct ExtraAttributeMatchingTests {
    static let records = MatchRecords([
        MatchInput(source: "a", sourceKey: "1", firstName: "Ann", attributes: ["soc_sec_id": "123 456 7"]),
        MatchInput(source: "a", sourceKey: "2", firstName: "Bea", attributes: ["soc_sec_id": "1234567"]),
        MatchInput(source: "a", sourceKey: "3", firstName: "Cid", attributes: ["soc_sec_id": "1234568", "state": "nsw"]),
        MatchInput(source: "a", sourceKey: "4", firstName: "Dan"),
    ])

    @Test(arguments: [
        ("attributes.soc_sec_id", MatchField.attribute("soc_sec_id")), ("first_name", .firstName), ("street", .street),
    ])
    func fieldsReadAsConfigured(text: String, field: MatchField) throws {
        #expect(MatchField(rawValue: text) == field)
        #expect(field.rawValue == text)
        let decoded = try JSONDecoder().decode([MatchField].self, from: JSONEncoder().encode([field]))
        #expect(decoded == [field])
    }

    @Test(arguments: ["attributes.", "attributes.Bad-Name", "attribute.soc_sec_id", "soc_sec_id"])
    func aMalformedAttributeIsNotAField(text: String) {
        #expect(MatchField(rawValue: text) == nil)
        #expect(DerivedKey(rawValue: text) == nil)
        #expect(MatchingConfiguration.HardIdentifier(rawValue: text) == nil)
    }

    @Test func anAttributeComparesWithOrderedLevelsOnItsFoldedForm() {
        let comparison = Comparison(
            name: "ssn", tag: "SSN", field: .attribute("soc_sec_id"),
            levels: [ComparisonLevel(.null), ComparisonLevel(.exact), ComparisonLevel(.levenshtein, threshold: 1), ComparisonLevel(.else)])
        let comparator = PairComparator(comparisons: [comparison], records: Self.records)
        let kernel = ComparisonKernel(comparator: comparator)
        let cases: [(Int, Int, Int)] = [(0, 1, 1), (1, 2, 2), (0, 3, 0), (2, 3, 0)]
        for (a, b, level) in cases {
            #expect(comparator.level(comparison, a, b) == level, "\(a)-\(b)")
            #expect(PairComparator.level(kernel.pattern(a, b), 0) == level, "\(a)-\(b) (kernel)")
        }
        // An attribute no record was read with is missing everywhere: the null level.
        let absent = Comparison(name: "x", tag: "X", field: .attribute("passport"), levels: comparison.levels)
        #expect(PairComparator(comparisons: [absent], records: Self.records).level(absent, 0, 1) == 0)
    }

    @Test func anAttributeBlocksAndStitches() {
        let blocked = Blocker(
            records: Self.records,
            blocking: .init(rules: [BlockingRule(name: "ssn", keys: [.attribute("soc_sec_id")])], maxBlockSize: 10)
        ).candidatePairs()
        #expect(blocked.pairs == [UInt64(0) << 32 | 1])
        let links = Stitcher(
            records: Self.records,
            settings: .init(identifiers: [.attribute("soc_sec_id")], maxRecordsPerValue: 4, crmSource: "a")
        ).links()
        #expect(links.map { [$0.a, $0.b] } == [[0, 1]])
        #expect(links.first?.identifier == .attribute("soc_sec_id"))
    }

    @Test func theConfigurationListsTheAttributesItReads() {
        var configuration = MatchingConfiguration(
            thresholds: .init(autoMerge: 0.99, review: 0.8), prior: nil, estimation: .init(randomPairs: 1000, emIterations: 5, convergence: 1e-4, seed: 1),
            stitching: .init(identifiers: [.email, .attribute("soc_sec_id")], maxRecordsPerValue: 4, crmSource: "a"),
            blocking: .init(rules: [BlockingRule(name: "r", keys: [.firstName, .attribute("state")])], maxBlockSize: 10),
            comparisons: [
                Comparison(name: "ssn", tag: "SSN", field: .attribute("soc_sec_id"), levels: [.init(.null), .init(.exact), .init(.else)])
            ],
            clustering: .init(maxClusterSize: 8, minDensity: 0.5),
            survivorship: SurvivorshipPolicy(sourceOrder: [], rules: [:], defaultRule: .sourceOrder))
        #expect(configuration.attributeReferences.map(\.path) == ["stitching.identifiers[1]", "blocking.rules[0].keys[1]", "comparisons[0].field"])
        #expect(configuration.attributeNames == ["soc_sec_id", "state"])
        configuration.stitching.identifiers = []
        #expect(configuration.attributeNames == ["soc_sec_id", "state"])
    }
}
