import Foundation

/// Turns a pair's pattern into a weight and an explanation, adding term-frequency adjustments on exact
/// levels that ask for them.
public struct PairScorer: Sendable {
    public let comparator: PairComparator
    public let model: FellegiSunterModel
    /// Per comparison, per level, log2(m/u).
    private let weights: [[Double]]
    /// The same with the u given agreement, for the pairs that meet its condition (`weights` again without one).
    private let weightsGivenAgreement: [[Double]]
    /// Per comparison, the exact level adjusted by term frequency, or -1.
    private let termFrequencyLevel: [Int]
    /// Per comparison, per value id of its column, the share of records that held the value when a pinned model was
    /// trained (`TermFrequencySnapshot`); nil where the share is measured on these records.
    private let pinnedFrequencies: [[Double]?]

    /// - Parameter termFrequencies: a pinned model's term frequencies (`TermFrequencySnapshot.frequencies`), so a pair
    ///   scores the same in every run that uses the model; nil: measured on the comparator's records.
    public init(comparator: PairComparator, model: FellegiSunterModel, termFrequencies: [[Double]?]? = nil) {
        self.comparator = comparator
        self.model = model
        pinnedFrequencies = termFrequencies ?? Array(repeating: nil, count: comparator.comparisons.count)
        weights = comparator.comparisons.indices.map { c in
            comparator.comparisons[c].levels.indices.map { model.weight(c, $0) }
        }
        weightsGivenAgreement = comparator.comparisons.indices.map { c in
            comparator.comparisons[c].levels.indices.map { model.weightGivenAgreement(c, $0) }
        }
        termFrequencyLevel = comparator.comparisons.map { comparison in
            comparison.levels.firstIndex { $0.kind == .exact && $0.termFrequency } ?? -1
        }
    }

    /// The level weights for a pair with `pattern`.
    @inline(__always)
    private func weights(for pattern: UInt64) -> [[Double]] {
        if let given = model.givenAgreement, given.applies(pattern) { return weightsGivenAgreement }
        return weights
    }

    /// log2 of how much less common this value is than the average agreeing value: u_exact ÷ frequency. The
    /// unconditional u_exact, also for a pair weighed with the u given agreement: its exact level's weight already
    /// says how much more often values coincide among such pairs, this how common this one is.
    func termFrequencyAdjustment(_ c: Int, _ a: Int) -> Double {
        let column = comparator.column(comparator.comparisons[c].field)
        let id = column.ids[a]
        guard id != InternedColumn.missing else { return 0 }
        return termFrequencyAdjustment(c, frequency: pinnedFrequencies[c]?[Int(id)] ?? column.frequency(id))
    }

    /// The adjustment of comparison `c`'s exact level for a value held by this share of the records.
    func termFrequencyAdjustment(_ c: Int, frequency: Double) -> Double {
        let u = model.u[c][termFrequencyLevel[c]]
        return log2(max(u, FellegiSunterModel.floor) / max(frequency, FellegiSunterModel.floor))
    }

    /// The total weight (prior included) of records `a`, `b` with `pattern`.
    public func weight(_ a: Int, _ b: Int, pattern: UInt64) -> Double {
        weight(pattern: pattern, adjustedBy: { c in termFrequencyAdjustment(c, a) })
    }

    /// The total weight of `pattern`, `adjustment(c)` giving the term-frequency adjustment of comparison `c`
    /// where the pattern is on its adjusted exact level.
    @inline(__always)
    func weight(pattern: UInt64, adjustedBy adjustment: (Int) -> Double) -> Double {
        let weights = weights(for: pattern)
        var total = model.priorWeight
        for c in weights.indices {
            let level = PairComparator.level(pattern, c)
            total += weights[c][level]
            if level == termFrequencyLevel[c] { total += adjustment(c) }
        }
        return total
    }

    public func explain(_ a: Int, _ b: Int) -> MatchExplanation {
        let pattern = comparator.pattern(a, b)
        let weights = weights(for: pattern)
        var terms: [MatchExplanation.Term] = []
        var total = model.priorWeight
        for (c, comparison) in comparator.comparisons.enumerated() {
            let level = PairComparator.level(pattern, c)
            var weight = weights[c][level]
            var adjustment: Double?
            if level == termFrequencyLevel[c] {
                let tf = termFrequencyAdjustment(c, a)
                adjustment = tf
                weight += tf
            }
            total += weight
            terms.append(
                MatchExplanation.Term(
                    comparison: comparison.name, tag: comparison.tag, level: level, label: comparison.levels[level].label,
                    weight: weight, termFrequencyAdjustment: adjustment))
        }
        return MatchExplanation(
            terms: terms, priorWeight: model.priorWeight, totalWeight: total,
            probability: FellegiSunterModel.probability(weight: total))
    }
}
