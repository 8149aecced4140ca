import Foundation

/// A model kept from the run that trained it, so later runs score pairs exactly as that run did: m, u and the prior,
/// and the term frequencies it measured (a frequency measured on each run's records would move every adjusted weight
/// whenever a record arrives).
public struct PinnedModel: Sendable, Equatable {
    public var model: FellegiSunterModel
    public var termFrequencies: TermFrequencySnapshot

    public init(model: FellegiSunterModel, termFrequencies: TermFrequencySnapshot) {
        self.model = model
        self.termFrequencies = termFrequencies
    }
}

/// How many records held each value of the comparisons adjusted by term frequency, when a model was trained. Values
/// are kept as 64-bit FNV-1a hashes of their text, not as text: the snapshot is stored in the lake, and names are
/// personal.
public struct TermFrequencySnapshot: Sendable, Equatable {
    /// The records counted.
    public var records: Int
    /// Per comparison (in the configuration's order), value hash → records holding the value; nil for a comparison
    /// without a term-frequency level.
    public var counts: [[UInt64: Int32]?]

    public init(records: Int, counts: [[UInt64: Int32]?]) {
        self.records = records
        self.counts = counts
    }

    /// What `comparator`'s records hold now.
    public init(_ comparator: PairComparator) {
        records = comparator.records.count
        counts = comparator.comparisons.map { comparison in
            guard comparison.levels.contains(where: { $0.kind == .exact && $0.termFrequency }) else { return nil }
            let column = comparator.column(comparison.field)
            var table: [UInt64: Int32] = [:]
            table.reserveCapacity(column.counts.count)
            for id in column.counts.indices where column.counts[id] > 0 {
                table[Self.hash(column, Int32(id)), default: 0] += column.counts[id]
            }
            return table
        }
    }

    /// Per comparison, per value id of `comparator`'s column, the share of the records counted that held the value:
    /// what `PairScorer` reads instead of the share among `comparator`'s records. A value no record held then counts
    /// as held by one (as rare as a value can be). Computed as `InternedColumn.frequency` computes it, so a snapshot
    /// of the same records gives the same weights to the last bit.
    public func frequencies(_ comparator: PairComparator) -> [[Double]?] {
        let total = Double(max(1, records))
        return comparator.comparisons.indices.map { c in
            guard c < counts.count, let table = counts[c] else { return nil }
            let column = comparator.column(comparator.comparisons[c].field)
            return column.counts.indices.map { id in Double(table[Self.hash(column, Int32(id))] ?? 1) / total }
        }
    }

    static func hash(_ column: InternedColumn, _ id: Int32) -> UInt64 {
        column.withBytes(id) { bytes in
            var hash = FNV1a()
            hash.add(bytes: UnsafeRawBufferPointer(bytes))
            return UInt64(bitPattern: hash.value)
        }
    }
}

extension MatchPipeline {
    /// Where an incremental run starts from, in the current records' numbers: which records are new or changed since
    /// the last run, and what the last run kept.
    public struct IncrementalScope: Sendable {
        /// Per record, whether it is new or changed since the last run: its pairs are scored again.
        public var changed: [Bool]
        /// Per blocking rule, per record, whether the last run found the record in a block too large to pair: such a
        /// block that is small enough now is paired whole (its pairs of unchanged records were never scored).
        public var wasOversized: [[Bool]]
        /// The last run's kept pairs between two unchanged records, with the weights it gave them.
        public var carried: [ScoredPair]

        public init(changed: [Bool], wasOversized: [[Bool]], carried: [ScoredPair]) {
            self.changed = changed
            self.wasOversized = wasOversized
            self.carried = carried
        }
    }

    /// The match with a pinned model that scores only the pairs a change can have touched: pairs with a new or changed
    /// record, and every pair of a block that was too large to pair last time and is not now. The last run's kept
    /// pairs between unchanged records keep their weights (the same records, model and term frequencies give the same
    /// weight), unless no blocking rule puts the two in one block any more (their block grew too large). Stitching,
    /// clustering and the review queue are whole, as in `run`, so steward decisions hold wherever they are.
    ///
    /// The outcome's kept pairs, clusters and review queue are those of `run(records, decisions:, pinned:)` (the review
    /// queue in another order), provided `scope` is what the last run (itself whole or incremental, with the same
    /// pinned model and configuration) left. One difference is accepted: a pair of two unchanged records that a
    /// blocking key's hash newly makes collide (a 32-bit mix of value ids, which move when records arrive) is not
    /// looked for; such pairs disagree on the keyed values and are not kept.
    public func runIncremental(
        _ records: MatchRecords, decisions: Decisions = Decisions(), pinned: PinnedModel, scope: IncrementalScope,
        now: () -> Double = { 0 }
    ) -> Outcome {
        var statistics = Statistics()
        statistics.records = records.count
        statistics.comparisonNames = configuration.comparisons.map(\.name)
        var started = now()
        func phase(_ name: String) {
            let time = now()
            statistics.phases.append(Statistics.Phase(name: name, seconds: time - started))
            started = time
        }

        let links = Stitcher(records: records, settings: configuration.stitching).links()
        statistics.stitchLinks = links.count
        phase("stitch")

        let blocker = Blocker(records: records, blocking: configuration.blocking)
        let rescore = blocker.pairsToRescore(changed: scope.changed, wasOversized: scope.wasOversized)
        statistics.candidatePairs = rescore.pairs.count
        statistics.oversizedBlocks = rescore.oversizedBlocks
        phase("blocking")

        let comparator = PairComparator(comparisons: configuration.comparisons, records: records)
        let scorer = PairScorer(comparator: comparator, model: pinned.model, termFrequencies: pinned.termFrequencies.frequencies(comparator))
        let patterns = parallelPatterns(rescore.pairs, ComparisonKernel(comparator: comparator))
        statistics.comparisons = patterns.count
        let reviewWeight = self.reviewWeight
        var kept: [ScoredPair] = []
        for (index, pair) in rescore.pairs.enumerated() {
            let a = Int(pair >> 32), b = Int(pair & 0xFFFF_FFFF)
            let weight = scorer.weight(a, b, pattern: patterns[index])
            if weight >= reviewWeight { kept.append(ScoredPair(a: Int32(a), b: Int32(b), weight: weight)) }
        }
        let keys = rescore.keys
        for pair in scope.carried {
            let a = Int(pair.a), b = Int(pair.b)
            // Scored again above (a block paired whole), or no longer in one block of any rule.
            guard !rescore.contains(Self.pairKey(pair.a, pair.b)), keys.contains(where: { $0[a] != 0 && $0[a] == $0[b] }) else { continue }
            kept.append(pair)
        }
        phase("scoring")

        let (clusterOf, review) = clusterAndQueue(kept, links: links, decisions: decisions, comparator: comparator, statistics: &statistics)
        phase("clustering")
        return Outcome(
            clusterOf: clusterOf, reviewPairs: review, model: pinned.model, scorer: scorer, statistics: statistics, keptPairs: kept,
            oversizedRecords: rescore.oversizedRecords)
    }
}

extension MatchPipeline.ScoredPair {
    /// A pair of records `a` and `b`, in either order (kept smaller first).
    public init(_ a: Int32, _ b: Int32, weight: Double) { self.init(a: min(a, b), b: max(a, b), weight: weight) }
}

extension Blocker {
    /// What an incremental run scores, and how every rule blocks the records now.
    public struct Rescore: Sendable {
        /// `a << 32 | b` with a < b, ascending, each once.
        public var pairs: [UInt64]
        /// Per rule, per record, its key; 0 when a part is missing or its block is too large to pair.
        public var keys: [[UInt64]]
        /// Per rule, the records of blocks too large to pair, ascending.
        public var oversizedRecords: [[UInt32]]
        public var oversizedBlocks: Int

        /// Whether `pair` (`a << 32 | b`, a < b) is among `pairs`.
        public func contains(_ pair: UInt64) -> Bool {
            var low = 0, high = pairs.count
            while low < high {
                let middle = (low + high) / 2
                if pairs[middle] < pair { low = middle + 1 } else { high = middle }
            }
            return low < pairs.count && pairs[low] == pair
        }
    }

    /// The pairs whose score a change can have moved, over every rule: in a block holding a changed record, each pair
    /// with a changed record; in a block holding a record the last run found in a block too large to pair
    /// (`wasOversized[rule][record]`), every pair (the block shrank, and its pairs were never scored).
    public func pairsToRescore(changed: [Bool], wasOversized: [[Bool]]) -> Rescore {
        precondition(changed.count == records.count && wasOversized.count == rules.count, "a scope of these records and rules")
        var pairs: [UInt64] = []
        var keys: [[UInt64]] = []
        var oversizedRecords: [[UInt32]] = []
        var oversizedBlocks = 0
        for (ruleIndex, rule) in rules.enumerated() {
            let blocked = ruleBlocks(rule)
            let wasTooLarge = wasOversized[ruleIndex]
            let order = blocked.order
            for block in blocked.blocks {
                let members = block.map { Int(order[$0].record) }
                let whole = members.contains { wasTooLarge[$0] }
                guard whole || members.contains(where: { changed[$0] }) else { continue }
                for x in members.indices {
                    for y in (x + 1)..<members.count where whole || changed[members[x]] || changed[members[y]] {
                        pairs.append(UInt64(members[x]) << 32 | UInt64(members[y]))
                    }
                }
            }
            keys.append(blocked.keys)
            oversizedRecords.append(blocked.oversizedRecords)
            oversizedBlocks += blocked.oversizedBlocks
        }
        pairs.sort()
        var unique: [UInt64] = []
        unique.reserveCapacity(pairs.count)
        for pair in pairs where unique.last != pair { unique.append(pair) }
        return Rescore(pairs: unique, keys: keys, oversizedRecords: oversizedRecords, oversizedBlocks: oversizedBlocks)
    }
}

extension MatchRecords {
    /// Per record, its version: a 64-bit FNV-1a hash of its source, key and every value matching reads (the silver
    /// values and the extra attributes' folded forms; the other forms derive from them). A record whose version is
    /// unchanged scores every pair as it did; a changed record, or another record under a reused silver row id, has
    /// another version.
    public func versions() -> [Int64] {
        let columns = [firstName, lastName, email, phone, birthDate, street, city, postcode, country, crmCustomerID, updatedAt] + attributeKeys
        let sourceNames = sources.map(\.rawValue)
        // Each text after its length, a missing value as a length no text has: no values can pass for others.
        func add(_ bytes: UnsafeBufferPointer<UInt8>, to hash: inout FNV1a) {
            withUnsafeBytes(of: Int32(bytes.count).littleEndian) { hash.add(bytes: $0) }
            hash.add(bytes: UnsafeRawBufferPointer(bytes))
        }
        let missing = Int32(-1).littleEndian
        return (0..<count).map { record in
            var hash = FNV1a()
            TextNormalization.withBytes(sourceNames[Int(sourceIndex[record])]) { add($0, to: &hash) }
            TextNormalization.withBytes(keys[record]) { add($0, to: &hash) }
            for column in columns {
                let id = column.ids[record]
                if id == InternedColumn.missing {
                    withUnsafeBytes(of: missing) { hash.add(bytes: $0) }
                } else {
                    column.withBytes(id) { add($0, to: &hash) }
                }
            }
            return hash.value
        }
    }
}
