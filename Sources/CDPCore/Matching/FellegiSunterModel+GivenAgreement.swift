import Foundation

extension FellegiSunterModel {
    /// u estimated again among the non-matching pairs that agree exactly on some comparisons (`estimation.u_given`):
    /// names of one culture, and the places people of that culture live, coincide together far more often than one at
    /// a time, so two strangers who share a first name share a surname or a postcode more often than two strangers
    /// drawn at random. A pair that agrees on every such comparison is weighed with these u.
    public struct GivenAgreement: Sendable, Hashable, Codable {
        /// Four bits per comparison of the condition, at its place in a pattern.
        public var mask: UInt64
        /// The condition's comparisons' exact levels, at their places: a pattern meets the condition when its bits
        /// under `mask` equal these.
        public var levels: UInt64
        /// Per comparison, per level (the null level unused): u among non-matching pairs that meet the condition. The
        /// condition's own comparisons keep the unconditional u.
        public var u: [[Double]]
        /// The sampled pairs taken for non-matches (each weighed by how unlikely the model found it to match).
        public var pairs: Double

        public init(mask: UInt64, levels: UInt64, u: [[Double]], pairs: Double) {
            self.mask = mask
            self.levels = levels
            self.u = u
            self.pairs = pairs
        }

        /// Whether a pair with `pattern` is weighed with these u.
        @inline(__always)
        public func applies(_ pattern: UInt64) -> Bool { pattern & mask == levels }

        /// The condition for `comparisons` (indexes, each with its exact level).
        public static func condition(_ comparisons: [(index: Int, exactLevel: Int)]) -> (mask: UInt64, levels: UInt64) {
            comparisons.reduce((UInt64(0), UInt64(0))) { condition, comparison in
                let shift = UInt64(comparison.index) * 4
                return (condition.0 | UInt64(0xF) << shift, condition.1 | UInt64(comparison.exactLevel) << shift)
            }
        }

        /// u among the pairs of `histogram` (the patterns of pairs sampled among those that meet the condition; a
        /// pattern that does not is left out), by EM with m held: the sample mixes a few matches among the
        /// non-matches, and each pair counts as a non-match by the probability that it is none, found from the share
        /// of matches in the sample and m and u of the comparisons outside the condition. (The model's own
        /// probability would not do: it weighs the pairs with the unconditional u, so the strangers that the u given
        /// agreement should count, those who agree on more than their first name, look like matches to it.)
        ///
        /// Each level's u is the unconditional u times (s + 1) ÷ (e + 1), where s is how many of the sample's
        /// non-matches were on the level and e how many would have been at the random pairs' rate (`randomCounts`, the
        /// random pairs per comparison and level, scaled to the sample): a level that neither sample sees enough of
        /// keeps about its unconditional u instead of a noisy one. The levels of each comparison are then scaled to
        /// sum to one.
        public static func estimate(
            histogram: [(pattern: UInt64, count: Int)], randomCounts: [[Double]], model: FellegiSunterModel, mask: UInt64, levels: UInt64,
            iterations: Int = 100
        ) -> GivenAgreement {
            let sample = histogram.filter { $0.pattern & mask == levels }
            let total = sample.reduce(0.0) { $0 + Double($1.count) }
            let free = model.u.indices.filter { (mask >> (UInt64($0) * 4)) & 0xF == 0 }
            guard total > 0 else { return GivenAgreement(mask: mask, levels: levels, u: model.u, pairs: 0) }
            var plain = model
            plain.givenAgreement = nil
            var share = sample.reduce(0.0) { sum, entry in
                sum + Double(entry.count) * FellegiSunterModel.probability(weight: plain.priorWeight + plain.patternWeight(entry.pattern))
            }
            share = min(max(share / total, FellegiSunterModel.floor), 1 - FellegiSunterModel.floor)
            var u = model.u
            var nonMatches = total
            for _ in 0..<max(1, iterations) {
                var seen = model.u.map { [Double](repeating: 0, count: $0.count) }
                var matches = 0.0
                let shareWeight = log2(share / (1 - share))
                for (pattern, count) in sample {
                    var weight = shareWeight
                    for c in free {
                        let level = PairComparator.level(pattern, c)
                        weight += FellegiSunterModel.weight(m: model.m[c][level], u: u[c][level], level: level)
                    }
                    let match = FellegiSunterModel.probability(weight: weight)
                    matches += Double(count) * match
                    for c in free { seen[c][PairComparator.level(pattern, c)] += Double(count) * (1 - match) }
                }
                nonMatches = total - matches
                share = min(max(matches / total, FellegiSunterModel.floor), 1 - FellegiSunterModel.floor)
                var change = 0.0
                for c in free {
                    let observed = seen[c].dropFirst().reduce(0, +)
                    let random = randomCounts[c].dropFirst().reduce(0, +)
                    guard observed > 0, random > 0 else { continue }
                    let scaled = model.u[c].indices.map { level -> Double in
                        guard level > 0 else { return 0 }
                        return model.u[c][level] * (seen[c][level] + 1) / (randomCounts[c][level] * observed / random + 1)
                    }
                    let sum = scaled.reduce(0, +)
                    for level in scaled.indices {
                        let value = scaled[level] / sum
                        change = max(change, abs(value - u[c][level]) / max(u[c][level], FellegiSunterModel.floor))
                        u[c][level] = value
                    }
                }
                if change < 1e-6 { break }
            }
            return GivenAgreement(mask: mask, levels: levels, u: u, pairs: nonMatches)
        }
    }

    /// The u a pair with `pattern` is weighed with: those given agreement when it meets that condition.
    @inline(__always)
    func u(for pattern: UInt64) -> [[Double]] {
        if let givenAgreement, givenAgreement.applies(pattern) { return givenAgreement.u }
        return u
    }
}
