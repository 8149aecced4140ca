import Foundation

/// What a match run leaves for the next one to start from: the pinned model, which records it matched, which of them
/// sat in blocks too large to pair, and every pair it kept with its weight. Records are named by their version
/// (`MatchRecords.versions`, a hash of the record's source, key and every value matching reads), so a pair of two
/// versions still current is a pair of two unchanged records. Stored as bytes (`encoded()`): a million kept pairs are
/// 24 MB, not a table.
public struct MatchState: Sendable, Equatable {
    /// The match run that trained the model.
    public var trainedRun: Int64
    /// `MatchState.digest` of the configuration the model was trained under.
    public var configurationDigest: UInt64
    public var pinned: PinnedModel
    /// Records new or changed since the model was trained, summed over the runs since.
    public var changedSinceTraining: Int
    /// The versions of the records the run matched, ascending.
    public var versions: [Int64]
    /// Per blocking rule, the versions of the records the run found in blocks too large to pair, ascending.
    public var oversized: [[Int64]]
    /// Every pair the run kept (at or above the review threshold), ascending by versions.
    public var pairs: [VersionPair]

    /// A kept pair, by its records' versions (a < b).
    public struct VersionPair: Sendable, Equatable, Comparable {
        public var a: Int64
        public var b: Int64
        public var weight: Double

        public init(_ a: Int64, _ b: Int64, weight: Double) {
            self.a = min(a, b)
            self.b = max(a, b)
            self.weight = weight
        }

        public static func < (x: Self, y: Self) -> Bool { (x.a, x.b) < (y.a, y.b) }
    }

    public init(
        trainedRun: Int64, configurationDigest: UInt64, pinned: PinnedModel, changedSinceTraining: Int, versions: [Int64],
        oversized: [[Int64]], pairs: [VersionPair]
    ) {
        self.trainedRun = trainedRun
        self.configurationDigest = configurationDigest
        self.pinned = pinned
        self.changedSinceTraining = changedSinceTraining
        self.versions = versions
        self.oversized = oversized
        self.pairs = pairs
    }

    /// What a run leaves: `outcome`'s kept pairs and oversized blocks, its records named by `versions`.
    public init(
        leftBy outcome: MatchPipeline.Outcome, versions: [Int64], trainedRun: Int64, configurationDigest: UInt64, pinned: PinnedModel,
        changedSinceTraining: Int
    ) {
        let pairs = outcome.keptPairs.map { VersionPair(versions[Int($0.a)], versions[Int($0.b)], weight: $0.weight) }
        self.init(
            trainedRun: trainedRun, configurationDigest: configurationDigest, pinned: pinned, changedSinceTraining: changedSinceTraining,
            versions: versions.sorted(), oversized: outcome.oversizedRecords.map { rule in rule.map { versions[Int($0)] }.sorted() },
            pairs: pairs.sorted())
    }

    /// Per record of `versions` (the current records' versions), whether it is new or changed: its version is not one
    /// this run matched.
    public func changedRecords(_ versions: [Int64]) -> [Bool] { versions.map { !Self.sortedContains(self.versions, $0) } }

    /// Where an incremental run over records of `versions` starts from: which are new or changed (`changed`, from
    /// `changedRecords`), which sat in blocks too large to pair, and the kept pairs of two records still current.
    public func scope(versions: [Int64], changed: [Bool]) -> MatchPipeline.IncrementalScope {
        let byVersion = versions.indices.sorted { versions[$0] < versions[$1] }
        let sortedVersions = byVersion.map { versions[$0] }
        func record(_ version: Int64) -> Int32? {
            let position = Self.lowerBound(sortedVersions, version)
            return position < sortedVersions.count && sortedVersions[position] == version ? Int32(byVersion[position]) : nil
        }
        // A version this run matched is an unchanged record: a pair of two still current is carried.
        var carried: [MatchPipeline.ScoredPair] = []
        carried.reserveCapacity(pairs.count)
        for pair in pairs {
            guard let a = record(pair.a), let b = record(pair.b) else { continue }
            carried.append(MatchPipeline.ScoredPair(a, b, weight: pair.weight))
        }
        let wasOversized = oversized.map { rule in
            var marks = [Bool](repeating: false, count: versions.count)
            for version in rule { if let r = record(version) { marks[Int(r)] = true } }
            return marks
        }
        return MatchPipeline.IncrementalScope(changed: changed, wasOversized: wasOversized, carried: carried)
    }

    static func lowerBound(_ values: [Int64], _ value: Int64) -> Int {
        var low = 0, high = values.count
        while low < high {
            let middle = (low + high) / 2
            if values[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }

    static func sortedContains(_ values: [Int64], _ value: Int64) -> Bool {
        let position = lowerBound(values, value)
        return position < values.count && values[position] == value
    }

    /// A digest of everything in `configuration` that decides a pair's weight, blocks or clusters: a model pinned under
    /// another configuration is not used. It includes `formatVersion`, raised when the engine scores differently.
    public static func digest(_ configuration: MatchingConfiguration) -> UInt64 {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var hash = FNV1a()
        hash.add("match state \(formatVersion)\n")
        // A configuration that cannot be encoded (a non-finite number) gets a digest no stored state has.
        guard let data = try? encoder.encode(configuration) else { return UInt64.max }
        data.withUnsafeBytes { hash.add(bytes: $0) }
        return UInt64(bitPattern: hash.value)
    }

    /// The layout of `encoded()`, and the engine's way of scoring: a state of another version is not read.
    public static let formatVersion: Int64 = 1

    /// The state as bytes, little-endian: the version, the scalars, the model, the term frequencies, then the arrays,
    /// each after its length.
    public func encoded() -> [UInt8] {
        var out = ByteWriter()
        out.write(Self.formatVersion)
        out.write(trainedRun)
        out.write(Int64(bitPattern: configurationDigest))
        out.write(Int64(changedSinceTraining))
        let model = pinned.model
        out.write(model.prior)
        out.write(Int64(model.iterations))
        out.write(Int64(model.converged ? 1 : 0))
        out.write(Int64(model.m.count))
        for c in model.m.indices {
            out.write(Int64(model.m[c].count))
            for level in model.m[c].indices {
                out.write(model.m[c][level])
                out.write(model.u[c][level])
            }
        }
        let frequencies = pinned.termFrequencies
        out.write(Int64(frequencies.records))
        out.write(Int64(frequencies.counts.count))
        for table in frequencies.counts {
            guard let table else {
                out.write(Int64(-1))
                continue
            }
            out.write(Int64(table.count))
            for (hash, count) in table.sorted(by: { $0.key < $1.key }) {
                out.write(Int64(bitPattern: hash))
                out.write(Int64(count))
            }
        }
        out.write(versions)
        out.write(Int64(oversized.count))
        for rule in oversized { out.write(rule) }
        out.write(Int64(pairs.count))
        for pair in pairs {
            out.write(pair.a)
            out.write(pair.b)
            out.write(pair.weight)
        }
        return out.bytes
    }

    /// Reads `encoded()`'s bytes; nil when they are not a state of this format (another version, or cut short).
    public init?(decoding bytes: [UInt8]) {
        var input = ByteReader(bytes)
        guard let version = input.int64(), version == Self.formatVersion, let trainedRun = input.int64(), let digest = input.int64(),
            let changed = input.int64(), let prior = input.double(), let iterations = input.int64(), let converged = input.int64(),
            let comparisons = input.count()
        else { return nil }
        var m: [[Double]] = [], u: [[Double]] = []
        for _ in 0..<comparisons {
            guard let levels = input.count() else { return nil }
            var mRow: [Double] = [], uRow: [Double] = []
            for _ in 0..<levels {
                guard let mLevel = input.double(), let uLevel = input.double() else { return nil }
                mRow.append(mLevel)
                uRow.append(uLevel)
            }
            m.append(mRow)
            u.append(uRow)
        }
        guard let records = input.int64(), let tables = input.count() else { return nil }
        var counts: [[UInt64: Int32]?] = []
        for _ in 0..<tables {
            guard let size = input.int64(), size <= Int64(input.remaining / 16) else { return nil }
            guard size >= 0 else {
                counts.append(nil)
                continue
            }
            var table: [UInt64: Int32] = [:]
            table.reserveCapacity(Int(size))
            for _ in 0..<size {
                guard let hash = input.int64(), let count = input.int64(), let held = Int32(exactly: count) else { return nil }
                table[UInt64(bitPattern: hash)] = held
            }
            counts.append(table)
        }
        guard let versions = input.int64s(), let rules = input.count() else { return nil }
        var oversized: [[Int64]] = []
        for _ in 0..<rules {
            guard let rule = input.int64s() else { return nil }
            oversized.append(rule)
        }
        guard let pairCount = input.count() else { return nil }
        var pairs: [VersionPair] = []
        pairs.reserveCapacity(pairCount)
        for _ in 0..<pairCount {
            guard let a = input.int64(), let b = input.int64(), let weight = input.double() else { return nil }
            pairs.append(VersionPair(a, b, weight: weight))
        }
        guard input.isAtEnd else { return nil }
        self.init(
            trainedRun: trainedRun, configurationDigest: UInt64(bitPattern: digest),
            pinned: PinnedModel(
                model: FellegiSunterModel(m: m, u: u, prior: prior, iterations: Int(iterations), converged: converged != 0),
                termFrequencies: TermFrequencySnapshot(records: Int(records), counts: counts)),
            changedSinceTraining: Int(changed), versions: versions, oversized: oversized, pairs: pairs)
    }
}

/// Appends fixed-width little-endian numbers.
private struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func write(_ value: Int64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ value: Double) { write(Int64(bitPattern: value.bitPattern)) }

    mutating func write(_ values: [Int64]) {
        write(Int64(values.count))
        bytes.reserveCapacity(bytes.count + values.count * 8)
        for value in values { write(value) }
    }
}

/// Reads what `ByteWriter` wrote; nil past the end.
private struct ByteReader {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { position == bytes.count }
    var remaining: Int { bytes.count - position }

    mutating func int64() -> Int64? {
        guard position + 8 <= bytes.count else { return nil }
        let value = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: position, as: Int64.self) }
        position += 8
        return Int64(littleEndian: value)
    }

    mutating func double() -> Double? { int64().map { Double(bitPattern: UInt64(bitPattern: $0)) } }

    /// A length: not negative, and not more eight-byte values than are left (a damaged length allocates nothing).
    mutating func count() -> Int? {
        guard let value = int64(), value >= 0, value <= Int64(remaining / 8) else { return nil }
        return Int(value)
    }

    mutating func int64s() -> [Int64]? {
        guard let count = count() else { return nil }
        var values: [Int64] = []
        values.reserveCapacity(count)
        for _ in 0..<count {
            guard let value = int64() else { return nil }
            values.append(value)
        }
        return values
    }
}
