import Foundation

/// Fellegi–Sunter parameters: per comparison level, m = P(level | match) and u = P(level | non-match);
/// a level's weight is log2(m/u), a pair's total is the prior's weight plus its levels' weights.
public struct FellegiSunterModel: Sendable, Hashable, Codable {
    /// Per comparison, per level (index 0, the null level, is unused: it carries no weight).
    public var m: [[Double]]
    public var u: [[Double]]
    /// The probability that a candidate pair is a match before looking at it.
    public var prior: Double
    /// EM iterations run, and whether they converged.
    public var iterations: Int
    public var converged: Bool
    /// u among pairs that agree on some comparisons, for the pairs that do (`estimation.u_given`); nil: u alone.
    public var givenAgreement: GivenAgreement?

    public init(
        m: [[Double]], u: [[Double]], prior: Double, iterations: Int = 0, converged: Bool = false, givenAgreement: GivenAgreement? = nil
    ) {
        self.m = m
        self.u = u
        self.prior = prior
        self.iterations = iterations
        self.converged = converged
        self.givenAgreement = givenAgreement
    }

    static let floor = 1e-6

    public var priorWeight: Double { log2(prior / (1 - prior)) }

    /// log2(m/u) of level `level` of comparison `c`; 0 for the null level.
    public func weight(_ c: Int, _ level: Int) -> Double { Self.weight(m: m[c][level], u: u[c][level], level: level) }

    /// log2(m/u) of level `level` of comparison `c` for a pair that meets `givenAgreement`'s condition (the plain
    /// weight without one).
    public func weightGivenAgreement(_ c: Int, _ level: Int) -> Double {
        Self.weight(m: m[c][level], u: (givenAgreement?.u ?? u)[c][level], level: level)
    }

    static func weight(m: Double, u: Double, level: Int) -> Double { level == 0 ? 0 : log2(max(m, floor) / max(u, floor)) }

    /// The sum of level weights of a pattern (no prior, no term-frequency adjustment), with the u given agreement
    /// where the pattern meets its condition.
    public func patternWeight(_ pattern: UInt64) -> Double {
        let u = u(for: pattern)
        var total = 0.0
        for c in m.indices {
            let level = PairComparator.level(pattern, c)
            total += Self.weight(m: m[c][level], u: u[c][level], level: level)
        }
        return total
    }

    public static func probability(weight: Double) -> Double { 1 / (1 + exp2(-weight)) }

    /// u for every level from the patterns of random pairs (nearly all non-matches). Add-one smoothing
    /// keeps a level never seen at random from getting an infinite weight.
    public static func estimateU(randomPatterns: [UInt64], levelCounts: [Int]) -> [[Double]] {
        estimateU(counts: Self.levelCounts(randomPatterns, levelCounts: levelCounts))
    }

    /// How many of `patterns` fall on each level of each comparison (`levelCounts` levels each).
    public static func levelCounts(_ patterns: [UInt64], levelCounts: [Int]) -> [[Double]] {
        var counts = levelCounts.map { [Double](repeating: 0, count: $0) }
        for pattern in patterns {
            for c in counts.indices { counts[c][PairComparator.level(pattern, c)] += 1 }
        }
        return counts
    }

    /// u from the random pairs' counts per comparison and level (`levelCounts`), add-one smoothed.
    static func estimateU(counts: [[Double]]) -> [[Double]] {
        counts.map { row in
            let observed = row.dropFirst().reduce(0, +) + Double(row.count - 1)
            return row.enumerated().map { index, count in index == 0 ? 0 : (count + 1) / observed }
        }
    }

    /// Estimates m (and the prior, unless fixed) by expectation–maximisation over candidate-pair patterns,
    /// with u held fixed. Labelled pairs (steward decisions) enter with their known match state.
    /// - Parameters:
    ///   - histogram: each distinct pattern of the candidate pairs with how many pairs have it.
    ///   - labelled: patterns of decided pairs and whether they matched.
    public static func estimate(
        histogram: [(pattern: UInt64, count: Int)], labelled: [(pattern: UInt64, isMatch: Bool)] = [], u: [[Double]],
        fixedPrior: Double?, iterations: Int, convergence: Double, fixedComparisons: Set<Int> = [], startingM: [[Double]]? = nil
    ) -> FellegiSunterModel {
        // Start m leaning toward the specific levels: each level twice as likely under a match as the next.
        let m0: [[Double]] = u.map { row in
            let levels = row.count - 1
            let raw = (0..<row.count).map { $0 == 0 ? 0 : pow(2, Double(levels - $0)) }
            let total = raw.reduce(0, +)
            return raw.map { $0 / total }
        }
        var model = FellegiSunterModel(m: startingM ?? m0, u: u, prior: fixedPrior ?? 0.1)
        // Comparisons a blocking rule made agree say nothing within its pairs: they are left out of the
        // likelihood and keep their m (Splink trains the same way).
        var active = model
        for c in fixedComparisons { active.m[c] = u[c] }
        for iteration in 1...max(1, iterations) {
            var matchMass = u.map { [Double](repeating: 0, count: $0.count) }
            var totalMatch = 0.0
            var totalPairs = 0.0
            func accumulate(_ pattern: UInt64, _ count: Double, _ posterior: Double) {
                let mass = posterior * count
                totalMatch += mass
                totalPairs += count
                for c in matchMass.indices { matchMass[c][PairComparator.level(pattern, c)] += mass }
            }
            let priorWeight = active.priorWeight
            for (pattern, count) in histogram {
                accumulate(pattern, Double(count), probability(weight: priorWeight + active.patternWeight(pattern)))
            }
            for (pattern, isMatch) in labelled { accumulate(pattern, 1, isMatch ? 1 : 0) }
            var change = 0.0
            var next = model
            for c in matchMass.indices where !fixedComparisons.contains(c) {
                let observed = matchMass[c].dropFirst().reduce(0, +)
                guard observed > 0 else { continue }
                for level in 1..<matchMass[c].count {
                    let value = max(matchMass[c][level] / observed, floor)
                    change = max(change, abs(value - model.m[c][level]))
                    next.m[c][level] = value
                }
            }
            if fixedPrior == nil, totalPairs > 0 {
                next.prior = min(max(totalMatch / totalPairs, floor), 1 - floor)
            }
            next.iterations = iteration
            model = next
            active = next
            for c in fixedComparisons { active.m[c] = u[c] }
            if change < convergence {
                model.converged = true
                break
            }
        }
        return model
    }

    /// The probability that two records drawn at random match, found as the fixed point of
    /// λ = (expected matches among candidate pairs at λ) ÷ (all record pairs): pairs that no blocking rule
    /// proposed are taken as non-matches.
    public static func estimatePrior(weights histogram: [(weight: Double, count: Int)], totalPairs: Double, iterations: Int = 30) -> Double {
        var prior = 1 / max(totalPairs, 2)
        for _ in 0..<iterations {
            let priorWeight = log2(prior / (1 - prior))
            let expected = histogram.reduce(0.0) { $0 + Double($1.count) * probability(weight: priorWeight + $1.weight) }
            let next = min(max(expected / max(totalPairs, 1), 1e-12), 0.5)
            if abs(next - prior) < prior * 1e-4 { return next }
            prior = next
        }
        return prior
    }
}
