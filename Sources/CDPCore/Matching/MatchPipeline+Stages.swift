import Foundation

/// The match's stages as entry points of their own, for running them apart: on Spark, blocking keys, stitching and
/// comparisons run per partition on the executors and training and clustering on the driver, over what Spark
/// gathered. `run` uses the same functions (`estimateParameters`, `clusterer`), so the two cannot drift.
///
/// What the whole set decides is carried in explicitly: the record numbers (the canonical order, see
/// `MatchColumns.canonicallyOrdered`), the record count (random pairs, the prior) and, for scoring, each value's
/// count over the whole set (term frequencies). A comparison pattern depends only on the two records' values, so a
/// `MatchRecords` of just the records at hand gives the same pattern as the whole set's.
extension MatchPipeline {
    /// m, u and the prior as `run` estimates them: u from the random pairs' patterns, m by EM per blocking rule and
    /// from hard-identifier links and steward approvals, then the prior over every candidate pair.
    /// - Parameters:
    ///   - candidatePatterns: the candidate pairs' patterns in rule order, `pairsPerRule` each (any order within a rule).
    ///   - overlapPatterns: per rule, the patterns of its pairs an earlier rule produced.
    ///   - links: hard-identifier links, as record numbers of `comparator`'s records.
    ///   - decisions: steward decisions, as record numbers of `comparator`'s records.
    ///   - recordCount: how many records the whole set has.
    public func estimateParameters(
        candidatePatterns: [UInt64], pairsPerRule: [Int], overlapPatterns: [[UInt64]], randomPatterns: [UInt64], links: [Stitcher.Link],
        decisions: Decisions, comparator: PairComparator, recordCount: Int
    ) -> (model: FellegiSunterModel, training: [Statistics.TrainingSession]) {
        var start = 0
        let ruleHistograms = pairsPerRule.indices.map { rule in
            defer { start += pairsPerRule[rule] }
            return PatternColumn.histogram(candidatePatterns[start..<start + pairsPerRule[rule]] + overlapPatterns[rule])
        }
        let known = knownMatches(links: links, decisions: decisions, comparator: comparator)
        return estimateParameters(
            ruleHistograms: ruleHistograms, candidateHistogram: PatternColumn.histogram(candidatePatterns), randomPatterns: randomPatterns,
            givenHistogram: [], known: known, knownPatterns: known.pairs.isEmpty ? [] : parallelPatterns(known.pairs, ComparisonKernel(comparator: comparator)),
            decisions: decisions,
            comparator: comparator, recordCount: recordCount)
    }

    /// `estimateParameters` over what `run` keeps of the patterns: per rule, the histogram of its pairs' patterns with
    /// those of its pairs an earlier rule produced; the histogram of every candidate pair's (for the prior); the presumed
    /// matches (`knownMatches`) with their patterns. Nothing here compares records, so no comparison kernel is held.
    func estimateParameters(
        ruleHistograms: [[(pattern: UInt64, count: Int)]], candidateHistogram: [(pattern: UInt64, count: Int)], randomPatterns: [UInt64],
        givenHistogram: [(pattern: UInt64, count: Int)], known: KnownMatches, knownPatterns: [UInt64], decisions: Decisions, comparator: PairComparator, recordCount: Int
    ) -> (model: FellegiSunterModel, training: [Statistics.TrainingSession]) {
        let randomCounts = FellegiSunterModel.levelCounts(randomPatterns, levelCounts: configuration.comparisons.map(\.levels.count))
        let u = FellegiSunterModel.estimateU(counts: randomCounts)
        let labelled =
            decisions.mustLink.map { (comparator.pattern(Int($0.0), Int($0.1)), true) }
            + decisions.cannotLink.map { (comparator.pattern(Int($0.0), Int($0.1)), false) }
        var (model, training) = estimateModel(ruleHistograms: ruleHistograms, labelled: labelled, u: u)
        if let session = learnFromKnownMatches(known, patterns: knownPatterns, model: &model) { training.append(session) }
        model.prior = configuration.prior ?? Self.prior(model, histogram: candidateHistogram, recordCount: recordCount)
        model = withGivenAgreement(
            model, histogram: givenHistogram, randomCounts: randomCounts, candidateHistogram: candidateHistogram, recordCount: recordCount)
        return (model, training)
    }

    /// The presumed matches m is counted on: hard-identifier links the clusterer would take, and steward approvals.
    /// None when m is never counted on them (`min_linked_pairs = 0`).
    func knownMatches(links: [Stitcher.Link], decisions: Decisions, comparator: PairComparator) -> KnownMatches {
        guard configuration.estimation.minLinkedPairs > 0 else { return KnownMatches([]) }
        let madeToAgree = Dictionary(
            uniqueKeysWithValues: configuration.stitching.identifiers.map {
                ($0, KnownMatch.mask($0.correlatedFields, configuration.comparisons))
            })
        // A link the clusterer never takes is not a known match: one between two members of one family (a shared
        // landline or inbox), or one whose birth dates conflict (no level of the comparison explains them: a parent
        // and child on one landline, a recycled number). Counted, such links taught that a true match's birth
        // dates often conflict, so namesakes decades apart at one address filled the review queue.
        let familyCheck = Self.familyCheck(comparator)
        let birthDatesConflict = Self.conflictCheck(comparator, field: .birthDate)
        var known: [KnownMatch] = []
        known.reserveCapacity(links.count + decisions.mustLink.count)
        for link in links where !(familyCheck?(link.a, link.b) ?? false) && !(birthDatesConflict?(link.a, link.b) ?? false) {
            known.append(KnownMatch(a: link.a, b: link.b, fieldsMadeToAgree: madeToAgree[link.identifier] ?? 0))
        }
        for (a, b) in decisions.mustLink { known.append(KnownMatch(a: a, b: b, fieldsMadeToAgree: 0)) }
        return KnownMatches(known)
    }

    /// The clusterer `run` uses, its vetoes asking `comparator` (whose records are the ones edges name).
    public func clusterer(_ comparator: PairComparator) -> Clusterer {
        let records = comparator.records
        var clusterer = Clusterer(
            maxSize: configuration.clustering.maxClusterSize, minDensity: configuration.clustering.minDensity, birthDays: records.birthDays,
            phoneIDs: records.phone.ids)
        clusterer.identifierWeight = Self.stitchWeight
        // A conflict is what the comparison puts on its last level: a birth date a year or a digit off, or a
        // phone with a typo, lands on a level of its own and weighs as evidence instead of vetoing.
        clusterer.birthDatesConflict = Self.conflictCheck(comparator, field: .birthDate)
        clusterer.phonesConflict = Self.conflictCheck(comparator, field: .phone)
        clusterer.familyMembersDiffer = Self.familyCheck(comparator)
        return clusterer
    }

    /// The strong edges `run` clusters: hard-identifier links, steward approvals and pairs at or above the
    /// auto-merge threshold (`scored`: pairs with their weights).
    public func strongEdges(links: [Stitcher.Link], decisions: Decisions, scored: [(a: Int32, b: Int32, weight: Double)]) -> [Clusterer
        .Edge]
    {
        // Hard-identifier links outrank any score but, unlike steward approvals, still yield to conflicting birth dates.
        var edges: [Clusterer.Edge] = links.map { Clusterer.Edge($0.a, $0.b, weight: Self.stitchWeight) }
        edges += decisions.mustLink.map { Clusterer.Edge($0.0, $0.1, weight: .infinity) }
        let autoWeight = autoMergeWeight
        for pair in scored where pair.weight >= autoWeight { edges.append(Clusterer.Edge(pair.a, pair.b, weight: pair.weight)) }
        return edges
    }

    /// The weight at and above which a scored pair is merged without review.
    public var autoMergeWeight: Double { logit(configuration.thresholds.autoMerge) }
    /// The weight at and above which a scored pair is kept (for review or merging).
    public var reviewWeight: Double { logit(configuration.thresholds.review) }

    /// The seeded random record pairs (`a << 32 | b`, a < b) u is estimated on, for a set of `count` records.
    public func randomPairs(count: Int) -> [UInt64] {
        guard count >= 2 else { return [] }
        var generator = SplitMix64(seed: configuration.estimation.seed)
        var pairs: [UInt64] = []
        pairs.reserveCapacity(configuration.estimation.randomPairs)
        while pairs.count < configuration.estimation.randomPairs {
            let a = Int(generator.next() % UInt64(count))
            let b = Int(generator.next() % UInt64(count))
            if a != b { pairs.append(UInt64(min(a, b)) << 32 | UInt64(max(a, b))) }
        }
        return pairs
    }
}

extension Blocker {
    /// Per record, `rule`'s blocking key as text, or nil when a part is missing: two records get the same text
    /// exactly when every part's value is the same, which is when `candidatePairs` puts them in one block (its keys
    /// are a 64-bit mix of the parts' value ids, so a rare hash collision joins two blocks there and not here).
    /// Unlike the ids, the text means the same in any subset of the records, so keys made per partition can be joined.
    public func blockingKeyTexts(_ rule: BlockingRule) -> [String?] {
        var texts = [String?](repeating: "", count: records.count)
        for part in rule.keys {
            let values = componentTexts(part)
            for record in texts.indices {
                guard let text = texts[record] else { continue }
                // Each part prefixed with its length in bytes, so no value can pass for two.
                texts[record] = values[record].map { text + "\($0.utf8.count):" + $0 }
            }
        }
        return texts
    }

    /// Per record, the key part's value as text (what `componentValues` numbers), or nil when missing.
    func componentTexts(_ key: DerivedKey) -> [String?] {
        let numbers = componentValues(key)
        func texts(_ column: InternedColumn) -> [String?] { (0..<records.count).map { column.value(of: $0) } }
        switch key {
        case .surnamePhonetic: return texts(records.lastPhonetic)
        case .surname: return texts(records.lastKey)
        case .firstName: return texts(records.firstKey)
        case .firstNameCanonical: return texts(records.firstCanonical)
        case .birthDate: return texts(records.birthDate)
        case .postcode: return texts(records.postcodeKey)
        case .emailLocalPart: return texts(records.emailLocalPart)
        case .phoneLastDigits: return texts(records.phoneLastDigits)
        case .city: return texts(records.cityKey)
        case .attribute(let name): return texts(records.attributeKey(name))
        case .firstInitial, .birthYear:
            // A byte or a year: the number is the value itself, the same in any subset.
            return numbers.map { $0 == 0 ? nil : String($0) }
        case .namesUnordered:
            // The two folded names, smaller first: equal for two records exactly when their unordered pairs of names are.
            return (0..<records.count).map { record in
                guard numbers[record] != 0, let first = records.firstKey.value(of: record), let last = records.lastKey.value(of: record)
                else {
                    return nil
                }
                let (x, y) = first.utf8.lexicographicallyPrecedes(last.utf8) ? (first, last) : (last, first)
                return "\(x.utf8.count):\(x)\(y)"
            }
        }
    }
}

extension PairScorer {
    /// The total weight (prior included) of a pair with `pattern`, where `frequency(c)` is the share of the whole
    /// set's records holding the first record's value of comparison `c` (asked only on a term-frequency exact level):
    /// what `weight(_:_:pattern:)` gives when the records at hand are not the whole set.
    public func weight(pattern: UInt64, frequency: (Int) -> Double) -> Double {
        weight(pattern: pattern, adjustedBy: { c in termFrequencyAdjustment(c, frequency: frequency(c)) })
    }
}

extension Stitcher.Link {
    /// A link between records `a` and `b` (in either order; kept smaller first, as `Stitcher` makes them).
    public init(_ a: Int32, _ b: Int32, identifier: MatchingConfiguration.HardIdentifier) {
        self.init(a: min(a, b), b: max(a, b), identifier: identifier)
    }
}
