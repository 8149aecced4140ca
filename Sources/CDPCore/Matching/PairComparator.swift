/// Puts a record pair on one level of every comparison. The result is a *pattern*: level indexes
/// packed four bits per comparison, so EM can work on a histogram of patterns instead of on every pair.
public struct PairComparator: Sendable {
    public let comparisons: [Comparison]
    public let records: MatchRecords
    /// Comparisons counted only when another does not agree exactly (`Comparison.given`).
    let givens: [Given]

    /// Comparison `comparison` is taken as null when comparison `other` is on level `exactLevel`.
    struct Given: Sendable {
        var comparison: Int
        var other: Int
        var exactLevel: Int
    }

    public init(comparisons: [Comparison], records: MatchRecords) {
        self.comparisons = comparisons
        self.records = records
        givens = comparisons.indices.compactMap { c in
            guard let name = comparisons[c].given, let other = comparisons.firstIndex(where: { $0.name == name }), other != c,
                let exact = comparisons[other].levels.firstIndex(where: { $0.kind == .exact })
            else { return nil }
            return Given(comparison: c, other: other, exactLevel: exact)
        }
    }

    /// The level index of comparison `c` in `pattern`.
    @inline(__always)
    public static func level(_ pattern: UInt64, _ c: Int) -> Int { Int((pattern >> (UInt64(c) * 4)) & 0xF) }

    public func pattern(_ a: Int, _ b: Int) -> UInt64 {
        var pattern: UInt64 = 0
        for (index, comparison) in comparisons.enumerated() {
            pattern |= UInt64(level(comparison, a, b)) << (UInt64(index) * 4)
        }
        for given in givens where Self.level(pattern, given.other) == given.exactLevel {
            pattern &= ~(UInt64(0xF) << (UInt64(given.comparison) * 4))
        }
        return pattern
    }

    /// The first level of `comparison` that holds for records `a` and `b`.
    public func level(_ comparison: Comparison, _ a: Int, _ b: Int) -> Int {
        if comparison.field == .birthDate { return dateLevel(comparison, a, b) }
        let column = self.column(comparison.field)
        let left = column.ids[a]
        let right = column.ids[b]
        for (index, level) in comparison.levels.enumerated() {
            switch level.kind {
            case .null:
                if left == InternedColumn.missing || right == InternedColumn.missing { return index }
            case .exact:
                if left == right { return index }
            case .nickname:
                let l = records.firstCanonical.ids[a]
                if l != InternedColumn.missing && l == records.firstCanonical.ids[b] { return index }
            case .phonetic:
                let l = records.lastPhonetic.ids[a]
                if l != InternedColumn.missing && l == records.lastPhonetic.ids[b] { return index }
            case .emailLocalPart:
                let l = records.emailLocalPart.ids[a]
                if l != InternedColumn.missing && l == records.emailLocalPart.ids[b] { return index }
            case .jaroWinkler:
                let similarity = column.withBytes(left) { x in column.withBytes(right) { y in StringSimilarity.jaroWinkler(x, y) } }
                if similarity >= (level.threshold ?? 1) { return index }
            case .levenshtein:
                let distance = column.withBytes(left) { x in column.withBytes(right) { y in StringSimilarity.levenshtein(x, y) } }
                if Double(distance) <= (level.threshold ?? 0) { return index }
            case .namesSwapped:
                let first = records.firstKey.ids, lastAsFirst = records.lastNameAsFirst
                if first[a] != InternedColumn.missing && first[a] == lastAsFirst[b] && lastAsFirst[a] == first[b] { return index }
            case .dayMonthSwapped, .withinDays:
                continue
            case .else:
                return index
            }
        }
        return comparison.levels.count - 1
    }

    private func dateLevel(_ comparison: Comparison, _ a: Int, _ b: Int) -> Int {
        let left = records.birthDays[a]
        let right = records.birthDays[b]
        for (index, level) in comparison.levels.enumerated() {
            switch level.kind {
            case .null:
                if left == Int32.min || right == Int32.min { return index }
            case .exact:
                if left == right { return index }
            case .dayMonthSwapped:
                let l = records.birthDate.ids[a]
                let r = records.birthDate.ids[b]
                if let date = records.birthDates[Int(l)], let other = records.birthDates[Int(r)], date.swappingDayAndMonth == other {
                    return index
                }
            case .withinDays:
                if Double(abs(Int(left) - Int(right))) <= (level.threshold ?? 0) { return index }
            case .levenshtein:
                let column = records.birthDate
                let l = column.ids[a]
                let r = column.ids[b]
                let distance = column.withBytes(l) { x in column.withBytes(r) { y in StringSimilarity.levenshtein(x, y) } }
                if Double(distance) <= (level.threshold ?? 0) { return index }
            case .else:
                return index
            default:
                continue
            }
        }
        return comparison.levels.count - 1
    }

    /// The column a comparison reads (normalised forms for names, postcodes and cities).
    public func column(_ field: MatchField) -> InternedColumn {
        switch field {
        case .firstName: return records.firstKey
        case .lastName: return records.lastKey
        case .email: return records.email
        case .phone: return records.phone
        case .postcode: return records.postcodeKey
        case .city: return records.cityKey
        case .birthDate: return records.birthDate
        case .street: return records.streetKey
        case .country: return records.country
        case .attribute(let name): return records.attributeKey(name)
        }
    }
}
