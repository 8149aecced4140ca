import Foundation
import Testing

@testable import CDPCore

@Suite struct MatchingModelTests {
    /// One comparison, two levels, one EM step worked by hand:
    /// m0 = (2/3, 1/3), u = (0.1, 0.9), λ0 = 0.1. Posterior of "exact" = 0.0667/(0.0667+0.9) = 0.42553,
    /// of "else" = 0.03704/(0.03704+0.9) = 0.03953; m1(exact) = 0.42553/(0.42553+0.03953) = 0.91501;
    /// λ1 = (0.42553+0.03953)/2 = 0.23253.
    @Test func oneEMStepMatchesTheHandComputation() {
        let u: [[Double]] = [[0, 0.1, 0.9]]
        let model = FellegiSunterModel.estimate(
            histogram: [(1, 50), (2, 50)], u: u, fixedPrior: nil, iterations: 1, convergence: 0)
        #expect(abs(model.m[0][1] - 0.91501) < 0.00001)
        #expect(abs(model.m[0][2] - 0.08499) < 0.00001)
        #expect(abs(model.prior - 0.23253) < 0.00001)
        #expect(model.iterations == 1)
    }

    /// Counts drawn exactly from a known model (λ 0.2, m 0.9/0.1, u 0.1/0.9 on two comparisons): EM finds it again.
    @Test func emRecoversAKnownModel() {
        let u: [[Double]] = [[0, 0.1, 0.9], [0, 0.1, 0.9]]
        func pattern(_ a: UInt64, _ b: UInt64) -> UInt64 { a | b << 4 }
        let histogram: [(pattern: UInt64, count: Int)] = [
            (pattern(1, 1), 1700), (pattern(1, 2), 900), (pattern(2, 1), 900), (pattern(2, 2), 6500),
        ]
        let model = FellegiSunterModel.estimate(histogram: histogram, u: u, fixedPrior: nil, iterations: 500, convergence: 1e-9)
        #expect(abs(model.prior - 0.2) < 0.001)
        #expect(abs(model.m[0][1] - 0.9) < 0.001)
        #expect(abs(model.m[1][1] - 0.9) < 0.001)
        #expect(model.converged)
    }

    /// One "email local part" block: 300 true matches and 700 namesakes, who share first name, surname and a
    /// name-based local part but not birth date, phone or email. Random pairs rarely agree on names, so if EM
    /// weighed the names here their agreement alone would make every namesake a match and m(birth date
    /// "else") would come out near 0.73. The names are left out of this rule's session as the email is.
    @Test func namesakesInALocalPartBlockDoNotTeachThatBirthDatesDiffer() {
        let levels: [ComparisonLevel] = [.init(.null), .init(.exact), .init(.else)]
        let comparisons = [
            Comparison(name: "first name", tag: "FIRST", field: .firstName, levels: levels),
            Comparison(name: "surname", tag: "SURNAME", field: .lastName, levels: levels),
            Comparison(name: "birth date", tag: "DOB", field: .birthDate, levels: levels),
            Comparison(name: "phone", tag: "PHONE", field: .phone, levels: levels),
            Comparison(name: "email", tag: "EMAIL", field: .email, levels: levels),
        ]
        let configuration = MatchingConfiguration(
            thresholds: .init(autoMerge: 0.99, review: 0.8), prior: nil,
            estimation: .init(randomPairs: 1000, emIterations: 200, convergence: 1e-9, seed: 1),
            stitching: .init(identifiers: [], maxRecordsPerValue: 4, crmSource: "crm"),
            blocking: .init(rules: [BlockingRule(name: "email local part", keys: [.emailLocalPart])], maxBlockSize: 60),
            comparisons: comparisons, clustering: .init(maxClusterSize: 8, minDensity: 0.5),
            survivorship: SurvivorshipPolicy(sourceOrder: ["crm"], rules: [:], defaultRule: .sourceOrder))
        func pattern(dob: UInt64, phone: UInt64, email: UInt64) -> UInt64 { 1 | 1 << 4 | dob << 8 | phone << 12 | email << 16 }
        // Matches: birth date exact 0.9, phone exact 0.8, independently. Namesakes differ on all three.
        var patterns: [UInt64] = []
        patterns += Array(repeating: pattern(dob: 1, phone: 1, email: 1), count: 216)
        patterns += Array(repeating: pattern(dob: 1, phone: 2, email: 1), count: 54)
        patterns += Array(repeating: pattern(dob: 2, phone: 1, email: 1), count: 24)
        patterns += Array(repeating: pattern(dob: 2, phone: 2, email: 1), count: 6)
        patterns += Array(repeating: pattern(dob: 2, phone: 2, email: 2), count: 700)
        let u: [[Double]] = [[0, 0.01, 0.99], [0, 0.01, 0.99], [0, 0.001, 0.999], [0, 0.001, 0.999], [0, 0.0001, 0.9999]]
        let (model, _) = MatchPipeline(configuration: configuration).estimateModel(
            ruleHistograms: [PatternColumn.histogram(patterns)], labelled: [], u: u)
        #expect(model.m[2][2] < 0.2)
        #expect(abs(model.m[2][1] - 0.9) < 0.05)
        #expect(abs(model.m[3][1] - 0.8) < 0.05)
    }

    /// Presumed matches: CRM-id links, an email link (which makes the names and the email agree, so those
    /// are not counted on it), a pair linked both ways and a pair with no birth date.
    /// Birth date is counted once per pair and never on a null: exact 3 (pairs 0-1, 2-3, 6-7), else 1 (4-5),
    /// smoothed (3+1)/(4+2) and (1+1)/(4+2). Email is counted on 0-1, 4-5, 8-9 (else) and 6-7 (exact: its
    /// CRM link frees the email although its email link does not), with 2-3 left out: (1+1)/(4+2).
    /// With a minimum of five pairs neither comparison has enough, and both keep what EM gave them.
    @Test func mIsCountedOncePerPresumedMatchLeavingOutWhatItsIdentifierMakesAgree() {
        let records = MatchRecords([
            MatchInput(source: "crm", sourceKey: "1", firstName: "Ann", email: "ann@a.example", birthDate: "1980-01-01"),
            MatchInput(source: "web", sourceKey: "1", firstName: "Ann", email: "ann@b.example", birthDate: "1980-01-01"),
            MatchInput(source: "crm", sourceKey: "2", firstName: "Bo", email: "bo@a.example", birthDate: "1990-05-05"),
            MatchInput(source: "web", sourceKey: "2", firstName: "Bo", email: "bo@a.example", birthDate: "1990-05-05"),
            MatchInput(source: "crm", sourceKey: "3", firstName: "Cy", email: "cy@a.example", birthDate: "1970-02-02"),
            MatchInput(source: "web", sourceKey: "3", firstName: "Cy", email: "cy@b.example", birthDate: "1971-02-02"),
            MatchInput(source: "crm", sourceKey: "4", firstName: "Di", email: "di@a.example", birthDate: "1960-03-03"),
            MatchInput(source: "web", sourceKey: "4", firstName: "Di", email: "di@a.example", birthDate: "1960-03-03"),
            MatchInput(source: "crm", sourceKey: "5", firstName: "Ed", email: "ed@a.example", birthDate: nil),
            MatchInput(source: "web", sourceKey: "5", firstName: "Ed", email: "ed@b.example", birthDate: "1950-04-04"),
        ])
        let three: [ComparisonLevel] = [.init(.null), .init(.exact), .init(.else)]
        let comparisons = [
            Comparison(name: "birth date", tag: "DOB", field: .birthDate, levels: three),
            Comparison(name: "email", tag: "EMAIL", field: .email, levels: three),
        ]
        func pipeline(minLinkedPairs: Int) -> MatchPipeline {
            MatchPipeline(
                configuration: MatchingConfiguration(
                    thresholds: .init(autoMerge: 0.99, review: 0.8), prior: nil,
                    estimation: .init(randomPairs: 1000, emIterations: 10, convergence: 1e-9, seed: 1, minLinkedPairs: minLinkedPairs),
                    stitching: .init(identifiers: [], maxRecordsPerValue: 4, crmSource: "crm"),
                    blocking: .init(rules: [BlockingRule(name: "first name", keys: [.firstNameCanonical])], maxBlockSize: 60),
                    comparisons: comparisons, clustering: .init(maxClusterSize: 8, minDensity: 0.5),
                    survivorship: SurvivorshipPolicy(sourceOrder: ["crm"], rules: [:], defaultRule: .sourceOrder)))
        }
        let comparator = PairComparator(comparisons: comparisons, records: records)
        let emModel = FellegiSunterModel(m: [[0, 0.5, 0.5], [0, 0.7, 0.3]], u: [[0, 0.01, 0.99], [0, 0.001, 0.999]], prior: 0.01)
        let byEmail = MatchPipeline.KnownMatch.mask([.email, .firstName, .lastName], comparisons)
        let known: [MatchPipeline.KnownMatch] = [
            .init(a: 0, b: 1, fieldsMadeToAgree: 0), .init(a: 3, b: 2, fieldsMadeToAgree: byEmail), .init(a: 4, b: 5, fieldsMadeToAgree: 0),
            .init(a: 6, b: 7, fieldsMadeToAgree: byEmail), .init(a: 6, b: 7, fieldsMadeToAgree: 0), .init(a: 8, b: 9, fieldsMadeToAgree: 0),
        ]

        let merged = MatchPipeline.KnownMatches(known)
        let patterns = merged.pairs.map { comparator.pattern(Int($0 >> 32), Int($0 & 0xFFFF_FFFF)) }
        var model = emModel
        let session = pipeline(minLinkedPairs: 4).learnFromKnownMatches(merged, patterns: patterns, model: &model)
        #expect(abs(model.m[0][1] - 4.0 / 6) < 1e-12)
        #expect(abs(model.m[0][2] - 2.0 / 6) < 1e-12)
        #expect(abs(model.m[1][1] - 2.0 / 6) < 1e-12)
        #expect(session?.pairs == 5)
        #expect(session?.comparisons == ["birth date", "email"])
        #expect(session?.seenOn == ["birth date": 4, "email": 4])

        model = emModel
        let stricter = pipeline(minLinkedPairs: 5).learnFromKnownMatches(merged, patterns: patterns, model: &model)
        #expect(model.m[1] == emModel.m[1], "email was seen on four pairs only")
        #expect(model.m[0] == emModel.m[0], "birth date was seen on four pairs only")
        #expect(stricter == nil)

        var untouched = emModel
        #expect(pipeline(minLinkedPairs: 0).learnFromKnownMatches(merged, patterns: patterns, model: &untouched) == nil)
        #expect(untouched == emModel)
    }

    /// Four phone links: three between one person's records, one between a parent and child who share a landline
    /// (birth dates decades apart, which no level explains). The clusterer never takes that link, so it is no
    /// presumed match either: m(birth date "else") is counted on the three, (0+1)/(3+2), not (1+1)/(4+2) — a
    /// share of true matches with conflicting birth dates that would keep namesakes decades apart in the queue.
    @Test func aLinkWhoseBirthDatesConflictIsNoPresumedMatch() {
        let records = MatchRecords([
            MatchInput(source: "crm", sourceKey: "1", firstName: "Ann", phone: "+441234500001", birthDate: "1980-01-01"),
            MatchInput(source: "web", sourceKey: "1", firstName: "Ann", phone: "+441234500001", birthDate: "1980-01-01"),
            MatchInput(source: "crm", sourceKey: "2", firstName: "Bo", phone: "+441234500002", birthDate: "1990-05-05"),
            MatchInput(source: "web", sourceKey: "2", firstName: "Bo", phone: "+441234500002", birthDate: "1990-05-05"),
            MatchInput(source: "crm", sourceKey: "3", firstName: "Cy", phone: "+441234500003", birthDate: "1970-02-02"),
            MatchInput(source: "web", sourceKey: "3", firstName: "Cy", phone: "+441234500003", birthDate: "1970-02-02"),
            MatchInput(source: "crm", sourceKey: "4", firstName: "Di", phone: "+441234500004", birthDate: "1950-03-03"),
            MatchInput(source: "web", sourceKey: "4", firstName: "Di", phone: "+441234500004", birthDate: "1984-07-09"),
        ])
        let configuration = MatchingConfiguration(
            thresholds: .init(autoMerge: 0.99, review: 0.8), prior: nil,
            estimation: .init(randomPairs: 100, emIterations: 10, convergence: 1e-9, seed: 1, minLinkedPairs: 2),
            stitching: .init(identifiers: [.phone], maxRecordsPerValue: 4, crmSource: "crm"),
            blocking: .init(rules: [BlockingRule(name: "first name", keys: [.firstNameCanonical])], maxBlockSize: 60),
            comparisons: Self.comparisons, clustering: .init(maxClusterSize: 8, minDensity: 0.5),
            survivorship: SurvivorshipPolicy(sourceOrder: ["crm"], rules: [:], defaultRule: .sourceOrder))
        let pipeline = MatchPipeline(configuration: configuration)
        let comparator = PairComparator(comparisons: Self.comparisons, records: records)
        let links = (0..<4).map { Stitcher.Link(Int32(2 * $0), Int32(2 * $0 + 1), identifier: .phone) }
        let (model, training) = pipeline.estimateParameters(
            candidatePatterns: [], pairsPerRule: [0], overlapPatterns: [[]], randomPatterns: [], links: links,
            decisions: MatchPipeline.Decisions(), comparator: comparator, recordCount: records.count)
        let counted = training.first { $0.kind == .links }
        #expect(counted?.pairs == 3)
        #expect(counted?.seenOn["birth date"] == 3)
        #expect(abs(model.m[1][2] - 1.0 / 5) < 1e-12)
        #expect(abs(model.m[1][1] - 4.0 / 5) < 1e-12)
    }

    @Test func uComesFromRandomPairsWithAddOneSmoothing() {
        // Levels 1, 1, 2 seen; smoothed: (2+1)/(3+2), (1+1)/(3+2).
        let u = FellegiSunterModel.estimateU(randomPatterns: [1, 1, 2], levelCounts: [3])
        #expect(abs(u[0][1] - 0.6) < 1e-12)
        #expect(abs(u[0][2] - 0.4) < 1e-12)
    }

    static let comparisons = [
        Comparison(name: "first name", tag: "FIRST", field: .firstName, levels: [.init(.null), .init(.exact), .init(.else)]),
        Comparison(name: "birth date", tag: "DOB", field: .birthDate, levels: [.init(.null), .init(.exact), .init(.else)]),
        Comparison(name: "phone", tag: "PHONE", field: .phone, levels: [.init(.null), .init(.exact), .init(.else)]),
    ]

    @Test func explanationShowsEveryComparisonThePriorAndTheKey() {
        let records = MatchRecords([
            MatchInput(source: "crm", sourceKey: "1", firstName: "Ann", phone: "+441234567890", birthDate: "1980-01-01"),
            MatchInput(source: "web", sourceKey: "9", firstName: "Ann", birthDate: "1981-01-01"),
        ])
        // m = 0.9 / 0.1, u = 0.01 / 0.99 everywhere: exact log2(90) = +6.49, else log2(0.1/0.99) = -3.31.
        let model = FellegiSunterModel(
            m: Array(repeating: [0, 0.9, 0.1], count: 3), u: Array(repeating: [0, 0.01, 0.99], count: 3), prior: 0.2)
        let explanation = PairScorer(comparator: PairComparator(comparisons: Self.comparisons, records: records), model: model).explain(0, 1)
        #expect(explanation.key == "+FIRST -DOB")
        #expect(explanation.terms.map { $0.label } == ["exact", "different", "missing"])
        #expect(abs(explanation.terms[0].weight - log2(90)) < 1e-9)
        #expect(abs(explanation.priorWeight - -2) < 1e-9)
        #expect(abs(explanation.totalWeight - (log2(90) + log2(0.1 / 0.99) - 2)) < 1e-9)
        #expect(explanation.text == """
            first name   exact                  +6.49
            birth date   different              -3.31
            phone        missing                +0.00
            prior                               -2.00
            total +1.18 → probability 0.6944  +FIRST -DOB
            """)
    }

    @Test func termFrequencyMakesARareShareWeighMore() {
        var inputs = (0..<8).map { MatchInput(source: "crm", sourceKey: "s\($0)", firstName: "John") }
        inputs += [MatchInput(source: "crm", sourceKey: "r1", firstName: "Ignatius"), MatchInput(source: "crm", sourceKey: "r2", firstName: "Ignatius")]
        let records = MatchRecords(inputs)
        let comparison = Comparison(
            name: "first name", tag: "FIRST", field: .firstName, levels: [.init(.null), .init(.exact, termFrequency: true), .init(.else)])
        let model = FellegiSunterModel(m: [[0, 0.9, 0.1]], u: [[0, 0.2, 0.8]], prior: 0.5)
        let scorer = PairScorer(comparator: PairComparator(comparisons: [comparison], records: records), model: model)
        let common = scorer.explain(0, 1)
        let rare = scorer.explain(8, 9)
        // u 0.2 against frequency 0.8 (John) and 0.2 (Ignatius): adjustments log2(0.25) and 0.
        #expect(abs((common.terms[0].termFrequencyAdjustment ?? 9) - log2(0.25)) < 1e-9)
        #expect(abs((rare.terms[0].termFrequencyAdjustment ?? 9)) < 1e-9)
        #expect(rare.totalWeight > common.totalWeight)
    }
}
