import Testing

@testable import CDPCore

/// An incremental match with a pinned model ends where a whole match with the same model ends (kept pairs, clusters,
/// review queue), step after step, while it scores fewer pairs: new records, a changed record, a block that grows too
/// large to pair and one that shrinks back, a record that leaves.
@Suite struct IncrementalMatchPipelineTests {
    static let levels: [ComparisonLevel] = [.init(.null), .init(.exact, termFrequency: true), .init(.else)]
    static let pipeline = MatchPipeline(
        configuration: MatchingConfiguration(
            thresholds: .init(autoMerge: 0.99, review: 0.5), prior: nil,
            estimation: .init(randomPairs: 1000, emIterations: 10, convergence: 1e-9, seed: 1),
            stitching: .init(identifiers: [.email], maxRecordsPerValue: 4, crmSource: "crm"),
            // Surname blocks of more than four records are too large to pair.
            blocking: .init(
                rules: [BlockingRule(name: "surname", keys: [.surname]), BlockingRule(name: "birth date", keys: [.birthDate])], maxBlockSize: 4),
            comparisons: [
                Comparison(name: "first name", tag: "FIRST", field: .firstName, levels: levels),
                Comparison(name: "surname", tag: "SURNAME", field: .lastName, levels: levels),
                Comparison(name: "birth date", tag: "DOB", field: .birthDate, levels: [.init(.null), .init(.exact), .init(.else)]),
            ],
            clustering: .init(maxClusterSize: 8, minDensity: 0.5),
            survivorship: SurvivorshipPolicy(sourceOrder: ["crm"], rules: [:], defaultRule: .sourceOrder)))
    static let model = FellegiSunterModel(
        m: [[0, 0.9, 0.1], [0, 0.9, 0.1], [0, 0.85, 0.15]], u: [[0, 0.05, 0.95], [0, 0.02, 0.98], [0, 0.01, 0.99]], prior: 0.3)

    static func person(_ key: String, _ first: String, _ last: String, _ born: String?, email: String? = nil) -> MatchInput {
        MatchInput(source: "crm", sourceKey: key, firstName: first, lastName: last, email: email, birthDate: born)
    }

    /// Records in canonical order (by source and key), as the service hands them over.
    static func records(_ inputs: [MatchInput]) -> MatchRecords {
        MatchRecords(inputs.sorted { ($0.source, $0.sourceKey) < ($1.source, $1.sourceKey) })
    }

    /// A run's kept pairs and review queue by record id, and its clusters as sets of ids: comparable across record sets.
    struct Result: Equatable {
        var kept: Set<String>
        var review: Set<String>
        var clusters: Set<Set<String>>

        init(_ outcome: MatchPipeline.Outcome, _ records: MatchRecords) {
            func pair(_ p: MatchPipeline.ScoredPair) -> String { "\(records.id(of: Int(p.a))) \(records.id(of: Int(p.b))) \(p.weight)" }
            kept = Set(outcome.keptPairs.map(pair))
            review = Set(outcome.reviewPairs.map(pair))
            var members: [Int32: Set<String>] = [:]
            for (record, label) in outcome.clusterOf.enumerated() { members[label, default: []].insert(records.id(of: record).description) }
            clusters = Set(members.values)
        }
    }

    @Test func anIncrementalRunEndsWhereAWholeRunWithThePinnedModelEnds() throws {
        // Four Garcias (a block just small enough), five Lees (too large), a few others. Records 04 and 06 have no birth
        // date: only the surname rule pairs them, and they are alike enough to be kept.
        var inputs = [
            Self.person("01", "Ana", "Garcia", "1980-01-01"), Self.person("02", "Ana", "Garcia", "1980-01-01"),
            Self.person("03", "Luis", "Garcia", "1975-03-03"), Self.person("04", "Ana", "Garcia", nil),
            Self.person("05", "Kim", "Lee", "1990-02-02"), Self.person("06", "Kim", "Lee", nil),
            Self.person("07", "Jo", "Lee", "1991-02-02"), Self.person("08", "Min", "Lee", "1992-02-02"),
            Self.person("09", "Kim", "Lee", "1993-02-02"), Self.person("10", "Eva", "Novak", "1970-07-07"),
            Self.person("11", "Eva", "Novak", "1970-07-07", email: "eva@example.com"), Self.person("12", "Tom", "Berg", "1960-06-06"),
        ]
        let first = Self.records(inputs)
        let pinned = PinnedModel(
            model: Self.model, termFrequencies: TermFrequencySnapshot(PairComparator(comparisons: Self.pipeline.configuration.comparisons, records: first)))
        var outcome = Self.pipeline.run(first, pinned: pinned)
        #expect(outcome.oversizedRecords[0].count == 5, "the Lees' block is too large to pair")
        var state = MatchState(
            leftBy: outcome, versions: first.versions(), trainedRun: 1, configurationDigest: MatchState.digest(Self.pipeline.configuration),
            pinned: pinned, changedSinceTraining: 0)

        // Each step: the records change, then an incremental run from what the last run left, against a whole run.
        let steps: [(String, ([MatchInput]) -> [MatchInput])] = [
            ("a fifth Garcia (the block grows too large) and a new Novak", { inputs in
                inputs + [Self.person("13", "Ana", "Garcia", "1980-01-01"), Self.person("14", "Eva", "Novak", "1970-07-07")]
            }),
            ("a Lee becomes a Leigh (the Lees' block is small enough again) and a Berg's birth date changes", { inputs in
                inputs.map { input in
                    var input = input
                    if input.sourceKey == "09" { input.lastName = "Leigh" }
                    if input.sourceKey == "12" { input.birthDate = "1980-01-01" }
                    return input
                }
            }),
            ("the fifth Garcia leaves (the block is small enough again)", { inputs in inputs.filter { $0.sourceKey != "13" } }),
            ("nothing changes", { $0 }),
        ]
        func keeps(_ outcome: MatchPipeline.Outcome, _ records: MatchRecords, _ a: String, _ b: String) -> Bool {
            outcome.keptPairs.contains { "\(records.id(of: Int($0.a)).key) \(records.id(of: Int($0.b)).key)" == "\(a) \(b)" }
        }
        #expect(keeps(outcome, first, "01", "04") && !keeps(outcome, first, "05", "06"))
        // What the steps must get right: the Garcias' pair 01–04 goes with their block, the Lees' 05–06 comes back.
        let expected = [(false, false), (false, true), (true, true), (true, true)]
        for ((step, change), (garcias, lees)) in zip(steps, expected) {
            inputs = change(inputs)
            let records = Self.records(inputs)
            let versions = records.versions()
            let changed = state.changedRecords(versions)
            let incremental = Self.pipeline.runIncremental(records, pinned: pinned, scope: state.scope(versions: versions, changed: changed))
            let whole = Self.pipeline.run(records, pinned: pinned)
            #expect(Result(incremental, records) == Result(whole, records), "after \(step)")
            #expect(keeps(whole, records, "01", "04") == garcias && keeps(whole, records, "05", "06") == lees, "after \(step)")
            #expect(incremental.statistics.comparisons < whole.statistics.comparisons, "after \(step): only pairs a change touched are scored")
            outcome = incremental
            state = MatchState(
                leftBy: outcome, versions: versions, trainedRun: 1, configurationDigest: state.configurationDigest, pinned: pinned,
                changedSinceTraining: state.changedSinceTraining + changed.count { $0 })
        }
        #expect(state.changedSinceTraining == 4, "two new, two changed; a record that leaves changes nothing")
    }

    /// A value no record held when the model was trained counts as held by one; one held by several keeps the share
    /// it had, however many records hold it now.
    @Test func pinnedTermFrequenciesAreThoseOfTheTraining() {
        let comparisons = Self.pipeline.configuration.comparisons
        let trained = Self.records([Self.person("1", "Ana", "Garcia", nil), Self.person("2", "Ana", "Lee", nil)])
        let snapshot = TermFrequencySnapshot(PairComparator(comparisons: comparisons, records: trained))
        let now = Self.records([
            Self.person("1", "Ana", "Garcia", nil), Self.person("2", "Ana", "Lee", nil), Self.person("3", "Ana", "Lee", nil),
            Self.person("4", "Zoe", "Lee", nil),
        ])
        let comparator = PairComparator(comparisons: comparisons, records: now)
        let frequencies = snapshot.frequencies(comparator)
        let first = comparator.column(.firstName)
        let ana = Int(first.ids[0]), zoe = Int(first.ids[3])
        #expect(frequencies[0]?[ana] == 1.0 && frequencies[0]?[zoe] == 0.5)
        #expect(frequencies[2] == nil, "birth date has no term-frequency level")
    }

    @Test func aStateReadsBackAsItWasWritten() throws {
        let records = Self.records([Self.person("1", "Ana", "Garcia", "1980-01-01"), Self.person("2", "Ana", "Garcia", "1980-01-01")])
        let pinned = PinnedModel(
            model: Self.model, termFrequencies: TermFrequencySnapshot(PairComparator(comparisons: Self.pipeline.configuration.comparisons, records: records)))
        let state = MatchState(
            leftBy: Self.pipeline.run(records, pinned: pinned), versions: records.versions(), trainedRun: 7, configurationDigest: 42,
            pinned: pinned, changedSinceTraining: 3)
        #expect(!state.pairs.isEmpty)
        #expect(MatchState(decoding: state.encoded()) == state)
        #expect(MatchState(decoding: Array(state.encoded().dropLast())) == nil, "a state cut short is not read")
    }
}
