/// The comparison patterns of many record pairs, each kept as a two-byte code into a table of the distinct patterns.
///
/// Millions of candidate pairs fall on a few thousand patterns (a level per comparison), and EM needs only how many
/// pairs have each: a code per pair takes a quarter of the memory of the pattern itself (at a million customers,
/// 14 MB instead of 55 MB held from scoring to the end of clustering), and a histogram is a count per code.
/// Codes are given in order of first appearance, so the same pairs in the same order always get the same codes.
/// Past 65,536 distinct patterns (many comparisons with many levels) the column keeps the patterns themselves.
struct PatternColumn: Sendable {
    private var codes: [UInt16] = []
    /// Code → pattern.
    private var table: [UInt64] = []
    private var codeOf: [UInt64: UInt16] = [:]
    /// Every pattern, once two-byte codes ran out (`codes` is then empty).
    private var wide: [UInt64] = []
    /// Whether the patterns are kept as codes (no more than `codeLimit` distinct ones).
    private(set) var isCoded = true

    /// The most distinct patterns two-byte codes can tell apart.
    static let codeLimit = 1 << 16

    init() {}

    init(_ patterns: some Sequence<UInt64>) {
        append(contentsOf: patterns)
    }

    var count: Int { isCoded ? codes.count : wide.count }

    subscript(index: Int) -> UInt64 { isCoded ? table[Int(codes[index])] : wide[index] }

    mutating func reserveCapacity(_ capacity: Int) {
        if isCoded { codes.reserveCapacity(capacity) } else { wide.reserveCapacity(capacity) }
    }

    mutating func append(_ pattern: UInt64) {
        guard isCoded else {
            wide.append(pattern)
            return
        }
        if let code = codeOf[pattern] {
            codes.append(code)
        } else if table.count < Self.codeLimit {
            codeOf[pattern] = UInt16(table.count)
            codes.append(UInt16(table.count))
            table.append(pattern)
        } else {
            // One distinct pattern too many for two bytes: keep the patterns themselves from here on.
            wide = codes.map { table[Int($0)] }
            wide.append(pattern)
            isCoded = false
            codes = []
            table = []
            codeOf = [:]
        }
    }

    mutating func append(contentsOf patterns: some Sequence<UInt64>) {
        for pattern in patterns { append(pattern) }
    }

    /// Each distinct pattern of the pairs in `range` with how many have it, ascending by pattern.
    func histogram(_ range: Range<Int>) -> [(pattern: UInt64, count: Int)] {
        guard isCoded else { return Self.histogram(wide[range]) }
        var counts = [Int](repeating: 0, count: table.count)
        for index in range { counts[Int(codes[index])] += 1 }
        return counts.indices.filter { counts[$0] > 0 }.map { (table[$0], counts[$0]) }.sorted { $0.pattern < $1.pattern }
    }

    /// Each distinct pattern of `patterns` with how many pairs have it, ascending by pattern.
    static func histogram(_ patterns: some Sequence<UInt64>) -> [(pattern: UInt64, count: Int)] {
        var counts: [UInt64: Int] = [:]
        for pattern in patterns { counts[pattern, default: 0] += 1 }
        return counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Two histograms (each ascending by pattern) as one, ascending by pattern.
    static func merged(_ x: [(pattern: UInt64, count: Int)], _ y: [(pattern: UInt64, count: Int)]) -> [(pattern: UInt64, count: Int)] {
        var result: [(pattern: UInt64, count: Int)] = []
        result.reserveCapacity(x.count + y.count)
        var i = 0, j = 0
        while i < x.count || j < y.count {
            if j == y.count || (i < x.count && x[i].pattern < y[j].pattern) {
                result.append(x[i])
                i += 1
            } else if i == x.count || y[j].pattern < x[i].pattern {
                result.append(y[j])
                j += 1
            } else {
                result.append((x[i].pattern, x[i].count + y[j].count))
                i += 1
                j += 1
            }
        }
        return result
    }
}
