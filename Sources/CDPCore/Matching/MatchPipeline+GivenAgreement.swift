import Foundation

extension MatchingConfiguration {
    /// The comparisons `estimation.u_given` names, each with its exact level, in comparison order (a name that is no
    /// comparison's, or one without an exact level, is left out: `problems()` reports it).
    var givenAgreementComparisons: [(index: Int, exactLevel: Int)] {
        comparisons.indices.compactMap { c in
            guard estimation.uGiven.contains(comparisons[c].name),
                let exact = comparisons[c].levels.firstIndex(where: { $0.kind == .exact })
            else { return nil }
            return (c, exact)
        }
    }
}

extension MatchPipeline {
    /// The record pairs the u given agreement is estimated on (`a << 32 | b`, a < b): pairs of two records with the
    /// same value on the field of every comparison `estimation.u_given` names, drawn uniformly among all such pairs
    /// with a generator seeded apart from the random pairs', or every such pair when there are no more than
    /// `random_pairs`. Empty when the setting names none. Records are numbered in the canonical order, so the sample
    /// does not depend on the order input rows arrived in.
    func givenAgreementPairs(_ comparator: PairComparator) -> [UInt64] {
        let given = configuration.givenAgreementComparisons
        guard !given.isEmpty else { return [] }
        let columns = given.map { comparator.column(comparator.comparisons[$0.index].field).ids }
        // One key per record with every value present: the ids themselves for one or two fields, a mix of them for
        // more (a rare collision puts two groups together; `GivenAgreement.estimate` leaves out any pair whose pattern
        // does not agree).
        var keyed: [(key: UInt64, record: Int32)] = []
        keyed.reserveCapacity(comparator.records.count)
        for record in 0..<comparator.records.count {
            var key: UInt64 = 0
            var present = true
            for column in columns {
                let id = column[record]
                guard id != InternedColumn.missing else {
                    present = false
                    break
                }
                key =
                    columns.count <= 2
                    ? key << 32 | UInt64(UInt32(bitPattern: id)) : (key ^ UInt64(UInt32(bitPattern: id))) &* 0x9E37_79B9_7F4A_7C15
            }
            if present { keyed.append((key, Int32(record))) }
        }
        keyed.sort { $0.key != $1.key ? $0.key < $1.key : $0.record < $1.record }
        // Groups of two or more records, with the running count of their pairs.
        var starts: [Int] = []
        var sizes: [Int] = []
        var pairsBefore: [UInt64] = []
        var total: UInt64 = 0
        var start = 0
        while start < keyed.count {
            var end = start + 1
            while end < keyed.count && keyed[end].key == keyed[start].key { end += 1 }
            let size = end - start
            if size >= 2 {
                starts.append(start)
                sizes.append(size)
                pairsBefore.append(total)
                total += UInt64(size * (size - 1) / 2)
            }
            start = end
        }
        let limit = configuration.estimation.randomPairs
        var pairs: [UInt64] = []
        func pair(_ group: Int, _ x: Int, _ y: Int) -> UInt64 {
            Self.pairKey(keyed[starts[group] + x].record, keyed[starts[group] + y].record)
        }
        if total <= UInt64(limit) {
            pairs.reserveCapacity(Int(total))
            for group in starts.indices {
                for x in 0..<sizes[group] {
                    for y in (x + 1)..<sizes[group] { pairs.append(pair(group, x, y)) }
                }
            }
            return pairs
        }
        pairs.reserveCapacity(limit)
        var generator = SplitMix64(seed: configuration.estimation.seed ^ Self.givenAgreementStream)
        while pairs.count < limit {
            // A group by its share of the pairs, then two different records of it: every pair equally likely.
            let draw = generator.next() % total
            var low = 0
            var high = pairsBefore.count - 1
            while low < high {
                let middle = (low + high + 1) / 2
                if pairsBefore[middle] <= draw { low = middle } else { high = middle - 1 }
            }
            let size = sizes[low]
            let x = Int(generator.next() % UInt64(size))
            var y = Int(generator.next() % UInt64(size - 1))
            if y >= x { y += 1 }
            pairs.append(pair(low, x, y))
        }
        return pairs
    }

    /// Mixed into `estimation.seed` for the given-agreement sample, so it draws apart from the random pairs.
    static let givenAgreementStream: UInt64 = 0x6769_7665_6E00_0001

    /// `model` with the u given agreement (when `estimation.u_given` names comparisons and `histogram`, the patterns
    /// of `givenAgreementPairs`, holds any; `randomCounts`, the random pairs per comparison and level) and the prior
    /// estimated again over the candidate pairs with it, unless the configuration fixes the prior.
    func withGivenAgreement(
        _ model: FellegiSunterModel, histogram: [(pattern: UInt64, count: Int)], randomCounts: [[Double]],
        candidateHistogram: [(pattern: UInt64, count: Int)], recordCount: Int
    ) -> FellegiSunterModel {
        let given = configuration.givenAgreementComparisons
        guard !given.isEmpty, !histogram.isEmpty else { return model }
        let condition = FellegiSunterModel.GivenAgreement.condition(given)
        var model = model
        model.givenAgreement = FellegiSunterModel.GivenAgreement.estimate(
            histogram: histogram, randomCounts: randomCounts, model: model, mask: condition.mask, levels: condition.levels)
        model.prior = configuration.prior ?? Self.prior(model, histogram: candidateHistogram, recordCount: recordCount)
        return model
    }
}
