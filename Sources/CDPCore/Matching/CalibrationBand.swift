/// Candidate pairs whose match probability (as the model scores them) falls in one band, counted against a truth.
/// Where the model is honest — its prior and its m and u — each band's share of true matches is near its mean
/// probability; a prior that shrinks too fast with the number of records shows as bands truer than they claim.
public struct CalibrationBand: Sendable, Codable, Equatable {
    /// The band's probabilities: at least `low`, below `high` (the last band includes 1).
    public var low: Double
    public var high: Double
    public var pairs: Int
    public var trueMatches: Int
    /// The mean of the band's pairs' probabilities (0 when it has none).
    public var meanProbability: Double

    public var trueShare: Double { pairs == 0 ? 0 : Double(trueMatches) / Double(pairs) }

    /// Band edges around the shipped thresholds (review 0.8, auto-merge 0.99).
    public static let edges: [Double] = [0, 0.5, 0.8, 0.9, 0.99, 0.999, 1]

    /// Counts `count` scored pairs into the bands of `edges`: `probability(i)` is pair i's match probability and
    /// `isTrue(i)` whether the truth puts its two records in one entity.
    public static func measure(count: Int, edges: [Double] = edges, probability: (Int) -> Double, isTrue: (Int) -> Bool) -> [CalibrationBand] {
        var bands = zip(edges, edges.dropFirst()).map { CalibrationBand(low: $0, high: $1, pairs: 0, trueMatches: 0, meanProbability: 0) }
        guard !bands.isEmpty else { return [] }
        var sums = [Double](repeating: 0, count: bands.count)
        for index in 0..<count {
            let p = probability(index)
            // The first band whose upper edge lies above p; the last takes p = 1.
            let band = bands.firstIndex { p < $0.high } ?? bands.count - 1
            bands[band].pairs += 1
            if isTrue(index) { bands[band].trueMatches += 1 }
            sums[band] += p
        }
        for band in bands.indices where bands[band].pairs > 0 { bands[band].meanProbability = sums[band] / Double(bands[band].pairs) }
        return bands
    }
}
