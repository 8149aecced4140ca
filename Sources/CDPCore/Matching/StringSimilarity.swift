/// Edit-distance and similarity measures over UTF-8 bytes, used by comparison levels.
///
/// They work on bytes, not characters: names reach them folded to lower-case ASCII letters (non-Latin
/// scripts keep their letters, where a byte-level measure still ranks closer spellings higher).
///
/// Each measure reads at most the first ``comparedPrefix`` bytes of a value: Jaro's matching and
/// Levenshtein's table grow with the product of the lengths, so one hostile value of megabytes would
/// otherwise hold a match run for minutes. Values that share their first 100 bytes compare as equal here.
public enum StringSimilarity {
    /// How many leading bytes of each value a comparison reads (100: longer than any name, email, phone,
    /// postcode or date; the ingest limits are larger, see `FieldLimits`).
    public static let comparedPrefix = 100

    /// The first ``comparedPrefix`` bytes of `bytes`.
    @inline(__always)
    static func compared(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        bytes.count <= comparedPrefix ? bytes : UnsafeBufferPointer(rebasing: bytes[0..<comparedPrefix])
    }

    /// Jaro–Winkler similarity in 0…1 (prefix scale 0.1, prefix up to 4, boost only above 0.7), as
    /// Winkler (1990) defines it.
    public static func jaroWinkler(_ a: String, _ b: String) -> Double {
        withBytes(a, b) { jaroWinkler($0, $1) }
    }

    /// Levenshtein distance: insertions, deletions and substitutions, each costing 1.
    public static func levenshtein(_ a: String, _ b: String) -> Int {
        withBytes(a, b) { levenshtein($0, $1) }
    }

    public static func jaroWinkler(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Double {
        let a = compared(a), b = compared(b)
        let jaro = jaro(a, b)
        guard jaro > 0.7 else { return jaro }
        var prefix = 0
        while prefix < min(4, a.count, b.count) && a[prefix] == b[prefix] { prefix += 1 }
        return jaro + Double(prefix) * 0.1 * (1 - jaro)
    }

    public static func jaro(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Double {
        let a = compared(a), b = compared(b)
        if a.isEmpty && b.isEmpty { return 1 }
        if a.isEmpty || b.isEmpty { return 0 }
        let window = max(0, max(a.count, b.count) / 2 - 1)
        return withUnsafeTemporaryAllocation(of: Bool.self, capacity: a.count + b.count) { flags in
            flags.initialize(repeating: false)
            var matches = 0
            for i in 0..<a.count {
                let low = max(0, i - window)
                let high = min(b.count - 1, i + window)
                guard low <= high else { continue }
                for j in low...high where !flags[a.count + j] && a[i] == b[j] {
                    flags[i] = true
                    flags[a.count + j] = true
                    matches += 1
                    break
                }
            }
            guard matches > 0 else { return 0 }
            var transpositions = 0
            var j = 0
            for i in 0..<a.count where flags[i] {
                while !flags[a.count + j] { j += 1 }
                if a[i] != b[j] { transpositions += 1 }
                j += 1
            }
            let m = Double(matches)
            return (m / Double(a.count) + m / Double(b.count) + (m - Double(transpositions / 2)) / m) / 3
        }
    }

    public static func levenshtein(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let a = compared(a), b = compared(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: b.count + 1) { row in
            for j in 0...b.count { row[j] = j }
            for i in 1...a.count {
                var diagonal = row[0]
                row[0] = i
                for j in 1...b.count {
                    let above = row[j]
                    row[j] = min(above + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1))
                    diagonal = above
                }
            }
            return row[b.count]
        }
    }

    /// Whether the Levenshtein distance is at most `limit`, stopping as soon as every cell of a row exceeds it
    /// (most compared values are far apart, so this rarely fills the table).
    public static func isWithinEditDistance(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>, _ limit: Int) -> Bool {
        let a = compared(a), b = compared(b)
        if abs(a.count - b.count) > limit { return false }
        // The configured levels ask for one edit (a digit of a phone, a date or a postcode): one pass, no table.
        if limit == 1 { return isWithinOneEdit(a, b) }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) <= limit }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: b.count + 1) { row in
            for j in 0...b.count { row[j] = j }
            for i in 1...a.count {
                var diagonal = row[0]
                row[0] = i
                var smallest = row[0]
                for j in 1...b.count {
                    let above = row[j]
                    row[j] = min(above + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1))
                    diagonal = above
                    smallest = min(smallest, row[j])
                }
                if smallest > limit { return false }
            }
            return row[b.count] <= limit
        }
    }

    /// Whether one substitution, insertion or deletion at most turns `a` into `b`. After the common prefix,
    /// the rest must be equal once the first differing byte is skipped in the longer value (in both when the
    /// lengths are equal).
    static func isWithinOneEdit(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let (short, long) = a.count <= b.count ? (a, b) : (b, a)
        if long.count - short.count > 1 { return false }
        var index = 0
        while index < short.count && short[index] == long[index] { index += 1 }
        if index == short.count { return true }
        let skipInShort = short.count == long.count ? 1 : 0
        var s = index + skipInShort, l = index + 1
        while s < short.count {
            if short[s] != long[l] { return false }
            s += 1
            l += 1
        }
        return true
    }

    static func withBytes<T>(_ a: String, _ b: String, _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> T) -> T {
        // Only the compared prefix is copied.
        let left = Array(a.utf8.prefix(comparedPrefix))
        let right = Array(b.utf8.prefix(comparedPrefix))
        return left.withUnsafeBufferPointer { l in right.withUnsafeBufferPointer { r in body(l, r) } }
    }
}
