import Foundation

/// Where an ingestion's time goes, phase by phase, for `cdp bench ingest --phases`.
///
/// Off by default: an ingestor without a profile pays one nil check per row. With one, each row costs a
/// few clock reads (about 0.1 µs), so profiled runs are a little slower than plain ones.
public final class IngestProfile: @unchecked Sendable {
    public enum Phase: String, CaseIterable, Sendable {
        case digest = "digest (SHA-256 of the file)"
        case land = "land (copy into the lake)"
        case prepare = "prepare (read existing keys and hashes)"
        case parse = "parser thread CPU: parse (CSV/JSONL to fields, raw text, content hash)"
        case parserWaits = "parser waits for the checker"
        case standardiserCPU = "standardiser thread CPU (people's sources: standardise)"
        case standardiserWaits = "standardiser waits for the checker"
        case checkerWaits = "checker waits for the parser"
        case standardise = "standardise"
        case validate = "validate (rules, uniqueness ledger)"
        case route = "route (change detection, rows for the writer)"
        case producerWaits = "checker waits for the writer"
        case producerCPU = "checker thread CPU (change detection, standardise, validate, route)"
        case writeRows = "writer: inserts and commits (incl. WAL checkpoints)"
        case writerWaits = "writer waits for the checker"
        case writerCPU = "writer thread CPU"
        case finish = "finish (batch counts, rule tallies)"

        /// The phase's position in `allCases`.
        var ordinal: Int {
            switch self {
            case .digest: 0
            case .land: 1
            case .prepare: 2
            case .parse: 3
            case .parserWaits: 4
            case .standardiserCPU: 5
            case .standardiserWaits: 6
            case .checkerWaits: 7
            case .standardise: 8
            case .validate: 9
            case .route: 10
            case .producerWaits: 11
            case .producerCPU: 12
            case .writeRows: 13
            case .writerWaits: 14
            case .writerCPU: 15
            case .finish: 16
            }
        }
    }

    private let lock = NSLock()
    /// Nanoseconds by phase, in the order of `Phase.allCases`; nil for a phase never timed. An array, not a
    /// dictionary: hashing the phase for every row's three laps was a tenth of a profiled checker's time.
    private var totals = [UInt64?](repeating: nil, count: Phase.allCases.count)

    public init() {}

    func add(_ phase: Phase, nanoseconds: UInt64) {
        let index = phase.ordinal
        lock.withLock { totals[index] = (totals[index] ?? 0) &+ nanoseconds }
    }

    /// Seconds spent per phase, in the order phases are listed.
    public var seconds: [(phase: Phase, seconds: Double)] {
        lock.withLock { Phase.allCases.compactMap { phase in totals[phase.ordinal].map { (phase, Double($0) / 1e9) } } }
    }

    public func reset() { lock.withLock { totals = totals.map { _ in nil } } }

    /// Monotonic wall-clock nanoseconds.
    @inline(__always)
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }

    /// CPU nanoseconds used by the calling thread so far.
    static func threadCPU() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }
}

extension Optional where Wrapped == IngestProfile {
    /// Times `body` as `phase` when profiling.
    @inline(__always)
    func measure<T, E: Error>(_ phase: IngestProfile.Phase, _ body: () throws(E) -> T) throws(E) -> T {
        guard let profile = self else { return try body() }
        let start = IngestProfile.now()
        defer { profile.add(phase, nanoseconds: IngestProfile.now() &- start) }
        return try body()
    }
}
