import Foundation

/// The whole match over a set of records: stitch on hard identifiers, block, compare, estimate u and m,
/// score, cluster. Deterministic: the same records, configuration and decisions give the same result,
/// however the scoring work is split between threads.
public struct MatchPipeline: Sendable {
    public let configuration: MatchingConfiguration
    /// Threads for comparing pairs (each takes a contiguous slice, so the output order never changes).
    public let threads: Int

    public init(configuration: MatchingConfiguration, threads: Int = 2) {
        self.configuration = configuration
        self.threads = max(1, threads)
    }

    /// Steward decisions, as record index pairs.
    public struct Decisions: Sendable {
        /// "Match": always joined (and labelled matches for EM).
        public var mustLink: [(Int32, Int32)]
        /// "Not a match" and unmerges: never joined, never proposed again.
        public var cannotLink: [(Int32, Int32)]
        public init(mustLink: [(Int32, Int32)] = [], cannotLink: [(Int32, Int32)] = []) {
            self.mustLink = mustLink
            self.cannotLink = cannotLink
        }
    }

    /// A pair worth keeping: merged automatically or sent for review.
    public struct ScoredPair: Sendable, Hashable {
        public var a: Int32
        public var b: Int32
        public var weight: Double
        public var probability: Double { FellegiSunterModel.probability(weight: weight) }
    }

    public struct Outcome: Sendable {
        /// Per record, its cluster label (the smallest record index in its cluster).
        public var clusterOf: [Int32]
        /// Pairs between the thresholds, or above them but kept apart by clustering, in different clusters
        /// and not decided: the steward queue.
        public var reviewPairs: [ScoredPair]
        public var model: FellegiSunterModel
        public var scorer: PairScorer
        public var statistics: Statistics
        /// With a truth: the true pairs (`a << 32 | b`, a < b) no blocking rule or hard identifier reached, in
        /// record order (at most `BlockingRecall.missedLimit`); kept out of the statistics, which are stored.
        public var missedTruePairs: [UInt64] = []
        /// With a truth: every true pair of two records here that ended in different clusters, in record order,
        /// with the stage that lost it; kept out of the statistics, which are stored.
        public var lostTruePairs: [LostTruePair] = []
        /// Every pair scored at or above the review threshold (merged, queued or kept apart), which an incremental run
        /// starts from.
        public var keptPairs: [ScoredPair] = []
        /// Per blocking rule, the records of its blocks too large to pair, ascending (see `Blocker.Result`).
        public var oversizedRecords: [[UInt32]] = []
    }

    public struct Statistics: Sendable, Codable {
        public var records = 0
        /// The comparisons' names, in the model's order.
        public var comparisonNames: [String] = []
        public var stitchLinks = 0
        public var candidatePairs = 0
        public var pairsPerRule: [Int] = []
        public var oversizedBlocks = 0
        public var comparisons = 0
        public var randomPairs = 0
        public var autoMergePairs = 0
        public var reviewPairs = 0
        public var clusters = 0
        public var largestCluster = 0
        /// Phase name → seconds, in phase order.
        public var phases: [Phase] = []
        /// What each blocking rule's EM session, and the count over presumed matches, gave m; so a session
        /// that went astray can be seen.
        public var training: [TrainingSession] = []
        /// With a truth: how many true pairs blocking and hard identifiers put before the scorer.
        public var blockingRecall: BlockingRecall?
        /// With a truth: the candidate pairs by their match probability, each band's true matches beside its mean
        /// probability (is the model, the prior included, as sure as it should be at this number of records?).
        public var calibration: [CalibrationBand]?

        /// The true pairs (two records of one entity of the truth) that became candidate pairs or hard-identifier
        /// links: a pair neither reaches is never compared, whatever the scorer would say.
        public struct BlockingRecall: Sendable, Codable, Equatable {
            /// Pairs of records the truth puts in one entity.
            public var truePairs: Int
            /// Of those, the pairs a blocking rule or a hard-identifier link compared directly.
            public var reached: Int
            /// The blocking rules' names, in order.
            public var rules: [String]
            /// Per blocking rule, in order, the true pairs it produced (each pair counted for the first rule only).
            public var reachedPerRule: [Int]
            /// True pairs no rule produced that a hard-identifier link joined.
            public var reachedOnlyByIdentifiers: Int

            public var recall: Double { truePairs == 0 ? 1 : Double(reached) / Double(truePairs) }
            /// True pairs that never reach the scorer.
            public var missed: Int { truePairs - reached }

            /// The most missed true pairs kept for a closer look.
            public static let missedLimit = 100_000

            /// Counts `pairs` (in rule order, `pairsPerRule` each) and `links` against per-record entity labels;
            /// also returns the true pairs neither reached (at most `missedLimit`, in record order).
            static func measure(
                labels: [Int32?], rules: [String], pairs: [UInt64], pairsPerRule: [Int], links: [Stitcher.Link]
            ) -> (recall: BlockingRecall, missed: [UInt64]) {
                func isTrue(_ a: Int, _ b: Int) -> Bool { labels[a] != nil && labels[a] == labels[b] }
                var reached = Set<UInt64>()
                var perRule: [Int] = []
                var start = 0
                for count in pairsPerRule {
                    var found = 0
                    for pair in pairs[start..<start + count] where isTrue(Int(pair >> 32), Int(pair & 0xFFFF_FFFF)) {
                        found += 1
                        reached.insert(pair)
                    }
                    perRule.append(found)
                    start += count
                }
                var onlyLinks = 0
                for link in links where isTrue(Int(link.a), Int(link.b)) {
                    if reached.insert(MatchPipeline.pairKey(link.a, link.b)).inserted { onlyLinks += 1 }
                }
                // Every true pair: the records of each entity, in record order.
                let entities = EntityMembers(labels)
                var truePairs = 0
                var missed: [UInt64] = []
                for entity in 0..<entities.count {
                    let records = entities[entity]
                    guard records.count > 1 else { continue }
                    truePairs += records.count * (records.count - 1) / 2
                    for x in records.indices {
                        for y in (x + 1)..<records.endIndex {
                            let key = MatchPipeline.pairKey(records[x], records[y])
                            if !reached.contains(key) && missed.count < missedLimit { missed.append(key) }
                        }
                    }
                }
                missed.sort()
                let recall = BlockingRecall(
                    truePairs: truePairs, reached: reached.count, rules: rules, reachedPerRule: perRule, reachedOnlyByIdentifiers: onlyLinks)
                return (recall, missed)
            }
        }

        public struct TrainingSession: Sendable, Codable, Equatable {
            public enum Kind: String, Sendable, Codable {
                /// EM over one blocking rule's pairs.
                case em
                /// Counted on presumed matches: hard-identifier links and steward approvals.
                case links
            }
            public var kind: Kind
            /// The blocking rule's name, or "hard-identifier links".
            public var rule: String
            public var pairs: Int
            /// The comparisons this session gave m to, by name.
            public var comparisons: [String]
            /// For presumed matches: per comparison name, on how many it was seen (not null), so a comparison
            /// left to EM shows how far it was from `min_linked_pairs`. Empty for EM sessions.
            public var seenOn: [String: Int] = [:]
            /// The share of the session's pairs taken for matches (1 for presumed matches).
            public var prior: Double
            public var iterations: Int
            /// Per comparison, m per level; nil where this session gave none (a rule's fixed comparisons, or too
            /// few presumed matches).
            public var m: [[Double]?]
        }

        public struct Phase: Sendable, Codable {
            public var name: String
            public var seconds: Double
            /// The process's peak resident memory during the phase, where a meter was given (`cdp bench match`).
            public var peakMegabytes: Double?
            public init(name: String, seconds: Double, peakMegabytes: Double? = nil) {
                self.name = name
                self.seconds = seconds
                self.peakMegabytes = peakMegabytes
            }
        }
    }

    /// Runs every phase. `now` reads a clock (seconds) for the phase timings only.
    /// - Parameter truth: per record, its entity in a truth table (nil: not in it); when given, the statistics
    ///   include the blocking recall, measured in a phase of its own (`evaluationPhase`) after the match's.
    /// - Parameter lostAgainst: with a truth, the clustering whose lost true pairs are reported (the golden records as
    ///   stored, by record); nil: this run's own.
    /// - Parameter peakMemory: the process's peak resident memory (MB) since it was last asked, asked as each phase
    ///   ends (nil: not measured), so a benchmark can say which stage holds the memory.
    /// - Parameter pinned: a model kept from an earlier run, used as it is (nothing estimated); nil: trained here.
    public func run(
        _ records: MatchRecords, decisions: Decisions = Decisions(), truth: [Int32?]? = nil, lostAgainst: [Int32]? = nil,
        pinned: PinnedModel? = nil, now: () -> Double = { 0 }, peakMemory: () -> Double? = { nil }
    ) -> Outcome {
        var statistics = Statistics()
        statistics.records = records.count
        statistics.comparisonNames = configuration.comparisons.map(\.name)
        var started = now()
        func phase(_ name: String) {
            let time = now()
            statistics.phases.append(Statistics.Phase(name: name, seconds: time - started, peakMegabytes: peakMemory()))
            started = time
        }

        let links = Stitcher(records: records, settings: configuration.stitching).links()
        statistics.stitchLinks = links.count
        phase("stitch")

        var blocked = Blocker(records: records, blocking: configuration.blocking).candidatePairs()
        statistics.candidatePairs = blocked.pairs.count
        statistics.pairsPerRule = blocked.pairsPerRule
        statistics.oversizedBlocks = blocked.oversizedBlocks
        phase("blocking")

        let comparator = PairComparator(comparisons: configuration.comparisons, records: records)
        let patterns: PatternColumn
        let randomPatterns: [UInt64]
        let ruleHistograms: [[(pattern: UInt64, count: Int)]]
        // A pinned model trains on nothing: no presumed matches, random pairs or histograms.
        let known = pinned == nil ? knownMatches(links: links, decisions: decisions, comparator: comparator) : KnownMatches([])
        let knownPatterns: [UInt64]
        let givenPairs = pinned == nil ? givenAgreementPairs(comparator) : []
        let givenHistogram: [(pattern: UInt64, count: Int)]
        do {
            // One kernel for every pattern the run computes: it copies a cache line of ids per record (over 100 MB
            // at a million records), so it is built once and let go before EM, which needs only the patterns.
            let kernel = ComparisonKernel(comparator: comparator)
            patterns = patternColumn(blocked.pairs, kernel)
            statistics.comparisons = patterns.count
            randomPatterns = pinned == nil ? parallelPatterns(randomPairs(count: records.count), kernel) : []
            statistics.randomPairs = randomPatterns.count
            var start = 0
            ruleHistograms = (pinned == nil ? blocked.pairsPerRule.indices : 0..<0).map { rule in
                defer { start += blocked.pairsPerRule[rule] }
                return PatternColumn.merged(
                    patterns.histogram(start..<start + blocked.pairsPerRule[rule]),
                    PatternColumn.histogram(parallelPatterns(blocked.overlapPairs[rule], kernel)))
            }
            knownPatterns = parallelPatterns(known.pairs, kernel)
            givenHistogram = PatternColumn.histogram(parallelPatterns(givenPairs, kernel))
        }
        blocked.overlapPairs = []
        // Ended once the kernel is gone, so EM's own peak is measured from what it holds.
        phase("scoring")
        let model: FellegiSunterModel
        if let pinned {
            model = pinned.model
        } else {
            (model, statistics.training) = estimateParameters(
                ruleHistograms: ruleHistograms, candidateHistogram: patterns.histogram(0..<patterns.count), randomPatterns: randomPatterns,
                givenHistogram: givenHistogram, known: known, knownPatterns: knownPatterns, decisions: decisions, comparator: comparator,
                recordCount: records.count)
        }
        phase("em")

        let scorer = PairScorer(comparator: comparator, model: model, termFrequencies: pinned?.termFrequencies.frequencies(comparator))
        let autoWeight = autoMergeWeight
        let reviewWeight = self.reviewWeight
        var kept: [ScoredPair] = []
        for (index, pair) in blocked.pairs.enumerated() {
            let a = Int(pair >> 32), b = Int(pair & 0xFFFF_FFFF)
            let weight = scorer.weight(a, b, pattern: patterns[index])
            guard weight >= reviewWeight else { continue }
            kept.append(ScoredPair(a: Int32(a), b: Int32(b), weight: weight))
        }
        let (clusterOf, review) = clusterAndQueue(kept, links: links, decisions: decisions, comparator: comparator, statistics: &statistics)
        phase("clustering")
        var missed: [UInt64] = []
        var lost: [LostTruePair] = []
        if let truth {
            (statistics.blockingRecall, missed) = Statistics.BlockingRecall.measure(
                labels: truth, rules: configuration.blocking.rules.map(\.name), pairs: blocked.pairs, pairsPerRule: blocked.pairsPerRule, links: links)
            func weight(_ index: Int) -> Double {
                let pair = blocked.pairs[index]
                return scorer.weight(Int(pair >> 32), Int(pair & 0xFFFF_FFFF), pattern: patterns[index])
            }
            lost = Self.lostTruePairs(
                labels: truth, clusterOf: lostAgainst ?? clusterOf, pairs: blocked.pairs, links: links, weight: weight,
                reviewWeight: reviewWeight, autoWeight: autoWeight)
            statistics.calibration = CalibrationBand.measure(
                count: blocked.pairs.count, probability: { FellegiSunterModel.probability(weight: weight($0)) },
                isTrue: { index in
                    let pair = blocked.pairs[index]
                    let a = truth[Int(pair >> 32)]
                    return a != nil && a == truth[Int(pair & 0xFFFF_FFFF)]
                })
            phase(Self.evaluationPhase)
        }
        return Outcome(
            clusterOf: clusterOf, reviewPairs: review, model: model, scorer: scorer, statistics: statistics, missedTruePairs: missed,
            lostTruePairs: lost, keptPairs: kept, oversizedRecords: blocked.oversizedRecords)
    }

    /// Clusters the records on the strong edges (hard-identifier links, approvals, `kept` pairs at or above the auto-merge
    /// threshold) and makes the review queue: the kept pairs left in different clusters that no steward decided. Counts
    /// the merged pairs, the queue and the clusters into `statistics`.
    func clusterAndQueue(
        _ kept: [ScoredPair], links: [Stitcher.Link], decisions: Decisions, comparator: PairComparator, statistics: inout Statistics
    ) -> (clusterOf: [Int32], review: [ScoredPair]) {
        let count = comparator.records.count
        statistics.autoMergePairs = kept.count { $0.weight >= autoMergeWeight }
        let edges = strongEdges(links: links, decisions: decisions, scored: kept.map { ($0.a, $0.b, $0.weight) })
        let clusterOf = clusterer(comparator).cluster(count: count, edges: edges, cannotLink: decisions.cannotLink)
        let decided = Set((decisions.mustLink + decisions.cannotLink).map { Self.pairKey($0.0, $0.1) })
        let review = kept.filter { clusterOf[Int($0.a)] != clusterOf[Int($0.b)] && !decided.contains(Self.pairKey($0.a, $0.b)) }
        statistics.reviewPairs = review.count
        // A cluster's label is its smallest record: sizes counted by record, no dictionary of a million clusters.
        var sizes = [Int32](repeating: 0, count: count)
        for label in clusterOf { sizes[Int(label)] += 1 }
        statistics.clusters = sizes.reduce(0) { $1 > 0 ? $0 + 1 : $0 }
        statistics.largestCluster = Int(sizes.max() ?? 0)
        return (clusterOf, review)
    }

    /// m by EM, one session per blocking rule over that rule's pairs (`ruleHistograms`, each rule's patterns with
    /// those of its pairs an earlier rule produced) with the comparisons its keys fix left out; each comparison's m is
    /// the mean over the sessions that trained it. The prior is left to the caller.
    func estimateModel(
        ruleHistograms: [[(pattern: UInt64, count: Int)]], labelled: [(UInt64, Bool)], u: [[Double]]
    ) -> (FellegiSunterModel, [Statistics.TrainingSession]) {
        let comparisons = configuration.comparisons
        var sums = u.map { [Double](repeating: 0, count: $0.count) }
        var sessions = [Int](repeating: 0, count: comparisons.count)
        var iterations = 0
        var converged = true
        var first: FellegiSunterModel?
        var training: [Statistics.TrainingSession] = []
        for (ruleIndex, rule) in configuration.blocking.rules.enumerated() {
            let histogram = ruleHistograms[ruleIndex]
            guard !histogram.isEmpty else { continue }
            let fixedFields = Set(rule.keys.flatMap(\.correlatedFields))
            let fixed = Set(comparisons.indices.filter { fixedFields.contains(comparisons[$0].field) })
            guard fixed.count < comparisons.count else { continue }
            let session = FellegiSunterModel.estimate(
                histogram: histogram, labelled: labelled, u: u, fixedPrior: nil,
                iterations: configuration.estimation.emIterations, convergence: configuration.estimation.convergence, fixedComparisons: fixed)
            first = first ?? session
            training.append(
                Statistics.TrainingSession(
                    kind: .em, rule: rule.name, pairs: histogram.reduce(0) { $0 + $1.count },
                    comparisons: comparisons.indices.filter { !fixed.contains($0) }.map { comparisons[$0].name }, prior: session.prior,
                    iterations: session.iterations,
                    m: comparisons.indices.map { fixed.contains($0) ? nil : session.m[$0] }))
            iterations = max(iterations, session.iterations)
            converged = converged && session.converged
            for c in comparisons.indices where !fixed.contains(c) {
                sessions[c] += 1
                for level in sums[c].indices { sums[c][level] += session.m[c][level] }
            }
        }
        var model = first ?? FellegiSunterModel.estimate(
            histogram: [], u: u, fixedPrior: 0.5, iterations: 1, convergence: 1)
        for c in comparisons.indices where sessions[c] > 0 {
            model.m[c] = sums[c].map { $0 / Double(sessions[c]) }
        }
        model.iterations = iterations
        model.converged = converged
        return (model, training)
    }

    /// A pair presumed to be one person: linked by a hard identifier, or approved by a steward.
    struct KnownMatch {
        var a: Int32
        var b: Int32
        /// Comparisons the link agrees on because of how it was made (an email address spells the names), as a
        /// bit per comparison index (at most 16; see `mask`): a million links need no million sets.
        var fieldsMadeToAgree: UInt16

        /// The bits of the comparisons that read one of `fields`.
        static func mask(_ fields: [MatchField], _ comparisons: [Comparison]) -> UInt16 {
            comparisons.indices.reduce(0) { mask, c in fields.contains(comparisons[c].field) ? mask | UInt16(1) << UInt16(c) : mask }
        }
    }

    /// Presumed matches, each pair once and ascending, with the comparisons left out on it (`KnownMatch`): a pair
    /// linked several ways leaves a comparison out only if every link made it agree.
    struct KnownMatches {
        var pairs: [UInt64] = []
        /// Per pair, a bit per comparison its links made agree.
        var madeToAgree: [UInt16] = []

        init(_ known: [KnownMatch]) {
            var entries = known.map { (pair: MatchPipeline.pairKey($0.a, $0.b), madeToAgree: $0.fieldsMadeToAgree) }
            entries.sort { $0.pair < $1.pair }
            pairs.reserveCapacity(entries.count)
            madeToAgree.reserveCapacity(entries.count)
            for entry in entries {
                if pairs.last == entry.pair {
                    madeToAgree[madeToAgree.count - 1] &= entry.madeToAgree
                } else {
                    pairs.append(entry.pair)
                    madeToAgree.append(entry.madeToAgree)
                }
            }
        }
    }

    /// m counted on presumed matches (`known`, `patterns` their patterns): hard-identifier links and steward
    /// approvals. Whatever their blocks hold, these are (nearly all) the same person, so unlike an EM session they
    /// cannot take a crowd of same-culture namesakes for the match class. A field a link's identifier makes agree
    /// is not counted on that link: an email link between namesakes sharing a family inbox would otherwise count
    /// their names. Comparisons seen (not null) on at least `minLinkedPairs` pairs take m from them, add-one
    /// smoothed like u; the rest keep EM's, which were estimated beside the replaced ones. Caveats: a wrong link
    /// (a shared phone) counts as a match, and linked records may be cleaner than the pairs left to score.
    func learnFromKnownMatches(_ known: KnownMatches, patterns: [UInt64], model: inout FellegiSunterModel) -> Statistics.TrainingSession? {
        let minimum = configuration.estimation.minLinkedPairs
        guard minimum > 0, !known.pairs.isEmpty else { return nil }
        let comparisons = configuration.comparisons
        let fieldBits = comparisons.indices.map { UInt16(1) << UInt16($0) }
        var counts = comparisons.map { [Double](repeating: 0, count: $0.levels.count) }
        for index in known.pairs.indices {
            for c in comparisons.indices where known.madeToAgree[index] & fieldBits[c] == 0 {
                counts[c][PairComparator.level(patterns[index], c)] += 1
            }
        }
        let seen = counts.map { $0.dropFirst().reduce(0, +) }
        var learned: [[Double]?] = Array(repeating: nil, count: comparisons.count)
        for c in comparisons.indices {
            guard seen[c] >= Double(minimum) else { continue }
            let smoothed = seen[c] + Double(counts[c].count - 1)
            let m = counts[c].enumerated().map { level, count in level == 0 ? 0 : (count + 1) / smoothed }
            model.m[c] = m
            learned[c] = m
        }
        guard learned.contains(where: { $0 != nil }) else { return nil }
        var session = Statistics.TrainingSession(
            kind: .links, rule: "hard-identifier links", pairs: known.pairs.count,
            comparisons: comparisons.indices.filter { learned[$0] != nil }.map { comparisons[$0].name }, prior: 1, iterations: 0, m: learned)
        for c in comparisons.indices { session.seenOn[comparisons[c].name] = Int(seen[c]) }
        return session
    }

    /// The prior for `model`'s weights over all candidate pairs (`histogram`: their patterns, each with how many pairs
    /// have it; see `FellegiSunterModel.estimatePrior`).
    static func prior(_ model: FellegiSunterModel, histogram: [(pattern: UInt64, count: Int)], recordCount: Int) -> Double {
        let n = Double(recordCount)
        return FellegiSunterModel.estimatePrior(weights: histogram.map { (model.patternWeight($0.pattern), $0.count) }, totalPairs: n * (n - 1) / 2)
    }

    /// Whether two records are different members of one family: one family name (exact or a typo apart, see
    /// `Comparison.familyNameLevels`) on the first last-name comparison while their first names land on the
    /// first first-name comparison's `else` level; nil when either comparison is missing.
    static func familyCheck(_ comparator: PairComparator) -> (@Sendable (Int32, Int32) -> Bool)? {
        guard let names = PairComparator.FamilyNames(comparator.comparisons) else { return nil }
        let first = comparator.comparisons[names.first], last = comparator.comparisons[names.last]
        return { a, b in
            names.areFamily(firstLevel: comparator.level(first, Int(a), Int(b)), lastLevel: comparator.level(last, Int(a), Int(b)))
        }
    }

    /// Whether two records land on the `else` level of the first comparison of `field`; nil when no
    /// comparison reads the field (the clusterer's own check applies).
    static func conflictCheck(_ comparator: PairComparator, field: MatchField) -> (@Sendable (Int32, Int32) -> Bool)? {
        guard let comparison = comparator.comparisons.first(where: { $0.field == field }) else { return nil }
        let last = comparison.levels.count - 1
        return { a, b in comparator.level(comparison, Int(a), Int(b)) == last }
    }

    /// The phase that measures a run against a truth (blocking recall, lost true pairs, calibration): not the match's
    /// own work, so benchmarks leave it out of the match's time.
    public static let evaluationPhase = "evaluation (pairs)"

    /// Above any score a pair can reach, below a steward's approval.
    static let stitchWeight = 1_000.0

    static func pairKey(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(min(a, b))) << 32 | UInt64(UInt32(max(a, b))) }

    func logit(_ probability: Double) -> Double { log2(probability / (1 - probability)) }

    /// Patterns of `pairs`, computed on `threads` threads over contiguous slices.
    func parallelPatterns(_ pairs: [UInt64], _ kernel: ComparisonKernel) -> [UInt64] {
        var patterns = [UInt64](repeating: 0, count: pairs.count)
        let slices = threads
        let chunk = (pairs.count + slices - 1) / max(1, slices)
        patterns.withUnsafeMutableBufferPointer { output in
            let out = UnsafeSendableBuffer(output)
            pairs.withUnsafeBufferPointer { input in
                let source = UnsafeSendableBuffer(input)
                DispatchQueue.concurrentPerform(iterations: slices) { slice in
                    let start = slice * chunk
                    let end = min(pairs.count, start + chunk)
                    guard start < end else { return }
                    for index in start..<end {
                        let pair = source.base[index]
                        out.mutableBase[index] = kernel.pattern(Int(pair >> 32), Int(pair & 0xFFFF_FFFF))
                    }
                }
            }
        }
        return patterns
    }
}

extension MatchPipeline {
    /// The patterns of `pairs` as a `PatternColumn`, computed on `threads` threads a slice at a time, so the
    /// eight-byte patterns of every pair are never held at once.
    func patternColumn(_ pairs: [UInt64], _ kernel: ComparisonKernel) -> PatternColumn {
        var column = PatternColumn()
        column.reserveCapacity(pairs.count)
        var start = 0
        while start < pairs.count {
            let end = min(pairs.count, start + Self.patternSlice)
            column.append(contentsOf: parallelPatterns(Array(pairs[start..<end]), kernel))
            start = end
        }
        return column
    }

    /// Pairs compared at once by `patternColumn` (2 MB of patterns).
    static let patternSlice = 1 << 18
}

/// A buffer pointer handed to worker threads that each write a disjoint range.
struct UnsafeSendableBuffer<Element>: @unchecked Sendable {
    let base: UnsafeBufferPointer<Element>
    let mutableBase: UnsafeMutableBufferPointer<Element>
    init(_ buffer: UnsafeBufferPointer<Element>) {
        base = buffer
        mutableBase = UnsafeMutableBufferPointer(mutating: buffer)
    }
    init(_ buffer: UnsafeMutableBufferPointer<Element>) {
        base = UnsafeBufferPointer(buffer)
        mutableBase = buffer
    }
}
