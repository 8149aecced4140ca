import Foundation
import Testing

@testable import CDPCore

/// u given agreement (`estimation.u_given`): strangers who share a first name share a postcode more often than two
/// strangers drawn at random, and a pair that shares the first name is weighed with how often they do.
@Suite struct GivenAgreementTests {
    static let three: [ComparisonLevel] = [.init(.null), .init(.exact), .init(.else)]
    static let comparisons = [
        Comparison(name: "first name", tag: "FIRST", field: .firstName, levels: three),
        Comparison(name: "postcode", tag: "POSTCODE", field: .postcode, levels: three),
        Comparison(name: "birth date", tag: "DOB", field: .birthDate, levels: three),
    ]

    static func pattern(first: UInt64, postcode: UInt64, birth: UInt64) -> UInt64 { first | postcode << 4 | birth << 8 }

    /// m 0.9 on the names' and postcodes' exact levels, 0.999 on the birth date's; u of the postcode 0.001 at random,
    /// of the birth date 0.0001; prior 1e-4.
    static let model = FellegiSunterModel(
        m: [[0, 0.9, 0.1], [0, 0.9, 0.1], [0, 0.999, 0.001]], u: [[0, 0.01, 0.99], [0, 0.001, 0.999], [0, 0.0001, 0.9999]], prior: 1e-4)
    static let firstNameAgrees = FellegiSunterModel.GivenAgreement.condition([(index: 0, exactLevel: 1)])

    /// 10,000 random pairs, on each level as often as the model's u says.
    static let randomCounts: [[Double]] = [[0, 100, 9_900], [0, 10, 9_990], [0, 1, 9_999]]

    static func estimate(_ histogram: [(pattern: UInt64, count: Int)]) -> FellegiSunterModel.GivenAgreement {
        .estimate(
            histogram: histogram, randomCounts: randomCounts, model: model, mask: firstNameAgrees.mask, levels: firstNameAgrees.levels)
    }

    /// 10,000 strangers sharing a first name, 50 of them a postcode: five times the 10 of 10,000 random pairs.
    /// u(postcode exact) = 0.001 × (50 + 1) / (10 + 1) = 0.004636, u(else) = 0.999 × 9,951 / 9,991, both then scaled to
    /// sum to one (a pair or two of the 50 is weighed out as a likely match). Pairs whose first names differ say
    /// nothing about the condition and are left out; the 1,000 that agree on the birth date too are the sample's
    /// matches (m 0.999 against u 0.0001) and are weighed out.
    @Test func uGivenAgreementIsHowOftenStrangersWhoAgreeAgreeOnTheRest() {
        let histogram: [(pattern: UInt64, count: Int)] = [
            (Self.pattern(first: 1, postcode: 1, birth: 2), 50),
            (Self.pattern(first: 1, postcode: 2, birth: 2), 9_950),
            (Self.pattern(first: 2, postcode: 1, birth: 2), 5_000),
            (Self.pattern(first: 1, postcode: 1, birth: 1), 1_000),
        ]
        let given = Self.estimate(histogram)
        let exact = 0.001 * 51 / 11
        let otherwise = 0.999 * 9_951 / 9_991
        #expect(abs(given.u[1][1] / (exact / (exact + otherwise)) - 1) < 0.03)
        #expect(abs(given.u[1][2] / (otherwise / (exact + otherwise)) - 1) < 0.001)
        #expect(given.u[0] == Self.model.u[0], "the condition's own comparison keeps its u")
        #expect(abs(given.pairs - 10_000) < 10, "the likely matches are weighed out, the pairs that disagree left out")
        #expect(given.applies(Self.pattern(first: 1, postcode: 2, birth: 0)))
        #expect(!given.applies(Self.pattern(first: 2, postcode: 1, birth: 1)))
        #expect(!given.applies(Self.pattern(first: 0, postcode: 1, birth: 1)))
    }

    /// Twenty strangers say little: a level none of them reached keeps nearly its unconditional u instead of none.
    @Test func aSmallSampleKeepsAboutTheUnconditionalU() {
        let given = Self.estimate([(Self.pattern(first: 1, postcode: 2, birth: 2), 20)])
        #expect(abs(given.u[1][1] / Self.model.u[1][1] - 1) < 0.03)
        #expect(abs(given.u[2][1] / Self.model.u[2][1] - 1) < 0.01)
    }

    /// Strangers who share a first name and a birth day: the unconditional model takes most of them for matches
    /// (first name and birth date agreeing outweigh a different postcode at a prior of 1e-4), and its probabilities
    /// would weigh them out of the sample, so u(birth date exact) given the first name would come out below the
    /// random rate. Estimated with the sample's own share of matches they stay non-matches: 30 of 10,000, three times
    /// the random rate of 1 in 10,000 (u × 31 / 2, scaled).
    @Test func strangersWhoAgreeOnMoreAreNotTakenForMatches() {
        let histogram: [(pattern: UInt64, count: Int)] = [
            (Self.pattern(first: 1, postcode: 2, birth: 1), 30), (Self.pattern(first: 1, postcode: 2, birth: 2), 9_970),
        ]
        var plain = Self.model
        plain.givenAgreement = nil
        let birthDayShared = Self.pattern(first: 1, postcode: 2, birth: 1)
        #expect(FellegiSunterModel.probability(weight: plain.priorWeight + plain.patternWeight(birthDayShared)) > 0.5)
        let given = Self.estimate(histogram)
        #expect(given.u[2][1] > 10 * Self.model.u[2][1])
        #expect(given.pairs > 9_990)
    }

    /// A pair that meets the condition is weighed with the u given agreement, everywhere a weight is made: the
    /// scorer, the explanation and the pattern weight EM and the prior use. One that does not keeps the plain u.
    @Test func aPairThatAgreesIsWeighedWithTheUGivenAgreement() {
        let records = MatchRecords([
            MatchInput(source: "crm", sourceKey: "1", firstName: "Ann", birthDate: "1980-01-01", postcode: "N1 1AA"),
            MatchInput(source: "crm", sourceKey: "2", firstName: "Ann", birthDate: "1975-05-05", postcode: "N1 1AA"),
            MatchInput(source: "crm", sourceKey: "3", firstName: "Bea", birthDate: "1975-05-05", postcode: "N1 1AA"),
        ])
        var model = Self.model
        model.givenAgreement = FellegiSunterModel.GivenAgreement(
            mask: Self.firstNameAgrees.mask, levels: Self.firstNameAgrees.levels,
            u: [[0, 0.01, 0.99], [0, 0.008, 0.992], [0, 0.0001, 0.9999]],
            pairs: 1_000)
        let comparator = PairComparator(comparisons: Self.comparisons, records: records)
        let scorer = PairScorer(comparator: comparator, model: model)
        let plain = PairScorer(comparator: comparator, model: Self.model)
        let agreeing = comparator.pattern(0, 1)
        #expect(agreeing == Self.pattern(first: 1, postcode: 1, birth: 2))
        // Only the postcode's u moved: log2(0.9 / 0.008) instead of log2(0.9 / 0.001), three bits less.
        #expect(abs(scorer.weight(0, 1, pattern: agreeing) - (plain.weight(0, 1, pattern: agreeing) - 3)) < 1e-9)
        #expect(abs(scorer.explain(0, 1).totalWeight - scorer.weight(0, 1, pattern: agreeing)) < 1e-9)
        #expect(abs(scorer.explain(0, 1).terms[1].weight - log2(0.9 / 0.008)) < 1e-9)
        #expect(abs(model.patternWeight(agreeing) - (Self.model.patternWeight(agreeing) - 3)) < 1e-9)
        let other = comparator.pattern(1, 2)
        #expect(scorer.weight(1, 2, pattern: other) == plain.weight(1, 2, pattern: other))
    }

    static func pipeline(uGiven: [String], randomPairs: Int = 1_000, prior: Double? = nil) -> MatchPipeline {
        MatchPipeline(
            configuration: MatchingConfiguration(
                thresholds: .init(autoMerge: 0.99, review: 0.8), prior: prior,
                estimation: .init(randomPairs: randomPairs, emIterations: 10, convergence: 1e-9, seed: 3, uGiven: uGiven),
                stitching: .init(identifiers: [], maxRecordsPerValue: 4, crmSource: "crm"),
                blocking: .init(
                    rules: [
                        BlockingRule(name: "birth date", keys: [.birthDate]),
                        BlockingRule(name: "name and postcode", keys: [.firstName, .postcode]),
                    ], maxBlockSize: 60),
                comparisons: comparisons, clustering: .init(maxClusterSize: 8, minDensity: 0.5),
                survivorship: SurvivorshipPolicy(sourceOrder: ["crm"], rules: [:], defaultRule: .sourceOrder)))
    }

    /// Records with first names Ann ×3, Bo ×2, one Cy and one without: when there are no more pairs that share a first
    /// name than `random_pairs`, the sample is every one of them (here four), found as a nested loop finds them.
    @Test func fewPairsThatAgreeAreTakenAll() {
        let names: [String?] = ["Ann", "Bo", nil, "Ann", "Cy", "Bo", "Ann"]
        let records = MatchRecords(names.enumerated().map { MatchInput(source: "crm", sourceKey: "k\($0.offset)", firstName: $0.element) })
        let comparator = PairComparator(comparisons: Self.comparisons, records: records)
        var expected: [UInt64] = []
        for a in 0..<records.count {
            for b in (a + 1)..<records.count {
                if let name = records.firstName.value(of: a), name == records.firstName.value(of: b) {
                    expected.append(UInt64(a) << 32 | UInt64(b))
                }
            }
        }
        #expect(expected.count == 4)
        #expect(Self.pipeline(uGiven: ["first name"]).givenAgreementPairs(comparator).sorted() == expected)
        #expect(Self.pipeline(uGiven: []).givenAgreementPairs(comparator).isEmpty)
    }

    /// More pairs than `random_pairs`: that many are drawn, every one agreeing, the same on every call, and from every
    /// group by its share of the pairs (Bo's 91 of 871).
    @Test func manyPairsThatAgreeAreSampledUniformly() {
        let names = Array(repeating: "Ann", count: 40) + Array(repeating: "Bo", count: 14) + ["Cy"]
        let records = MatchRecords(names.enumerated().map { MatchInput(source: "crm", sourceKey: "k\($0.offset)", firstName: $0.element) })
        let comparator = PairComparator(comparisons: Self.comparisons, records: records)
        let pipeline = Self.pipeline(uGiven: ["first name"], randomPairs: 500)
        let sample = pipeline.givenAgreementPairs(comparator)
        #expect(sample.count == 500)
        #expect(sample == pipeline.givenAgreementPairs(comparator))
        #expect(sample.allSatisfy { records.firstName.value(of: Int($0 >> 32)) == records.firstName.value(of: Int($0 & 0xFFFF_FFFF)) })
        #expect(sample.allSatisfy { $0 >> 32 < $0 & 0xFFFF_FFFF })
        let fromBo = sample.filter { records.firstName.value(of: Int($0 >> 32)) == "Bo" }.count
        #expect((30...75).contains(fromBo), "Bo holds 91 of 871 pairs: about 52 of 500 draws, found \(fromBo)")
    }

    /// A first name of letters only ("Aa", "Ab", …): names are compared folded, without digits.
    static func letters(_ number: Int) -> String {
        String(UnicodeScalar(UInt8(65 + number / 26))) + String(UnicodeScalar(UInt8(97 + number % 26)))
    }

    /// The whole run: namesakes share a postcode twice as often as random pairs do (first names and postcodes go
    /// together by region), so the model's u given the first name says so, and a stranger with the same first name
    /// at the same postcode weighs a bit less than without it. 300 of the 1,700 people have a second record (the
    /// same name, birth date and postcode), so EM finds what a match looks like; the prior is fixed.
    @Test func aRunLearnsTheUGivenAgreement() {
        // 40 first names × 10 postcodes in two regions: names 0-19 live at postcodes 0-4, names 20-39 at 5-9.
        var inputs: [MatchInput] = []
        var random = SplitMix64(seed: 11)
        for person in 0..<1_700 {
            let name = Int(random.next() % 40)
            let postcode = (name < 20 ? 0 : 5) + Int(random.next() % 5)
            let birth = String(
                format: "19%02d-%02d-%02d", 40 + Int(random.next() % 50), 1 + Int(random.next() % 12), 1 + Int(random.next() % 28))
            for copy in 0..<(person < 300 ? 2 : 1) {
                inputs.append(
                    MatchInput(
                        source: "crm", sourceKey: String(format: "k%05d-%d", person, copy), firstName: Self.letters(name), birthDate: birth,
                        postcode: "P\(postcode)"))
            }
        }
        let records = MatchRecords(inputs)
        let plain = Self.pipeline(uGiven: [], prior: 1e-4).run(records)
        let given = Self.pipeline(uGiven: ["first name"], prior: 1e-4).run(records)
        #expect(plain.model.givenAgreement == nil)
        let u = given.model.givenAgreement?.u
        // At random two records share a postcode about 1 time in 10, namesakes 1 in 5.
        #expect(abs((u?[1][1] ?? 0) - 0.2) < 0.04)
        #expect(abs(plain.model.u[1][1] - 0.1) < 0.03)
        let pattern = Self.pattern(first: 1, postcode: 1, birth: 2)
        #expect(given.model.patternWeight(pattern) < plain.model.patternWeight(pattern) - 0.7)
    }
}
