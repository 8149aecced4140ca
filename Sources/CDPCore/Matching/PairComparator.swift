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

    /// Comparisons of what one household shares, not counted between two members of one family.
    let family: FamilyRule?

    /// The name comparisons that tell two members of one family: the surname on one of the first last-name
    /// comparison's family-name levels (exact or a typo apart, `Comparison.familyNameLevels`) while the first
    /// name lands on the first first-name comparison's `else` level.
    struct FamilyNames: Sendable {
        var first: Int
        var firstElse: Int
        var last: Int
        /// A bit per level index of the last-name comparison: the levels of one family name.
        var lastFamily: UInt16

        /// nil when a first-name or a last-name comparison (with an exact level) is missing.
        init?(_ comparisons: [Comparison]) {
            guard let first = comparisons.firstIndex(where: { $0.field == .firstName }),
                let last = comparisons.firstIndex(where: { $0.field == .lastName }), comparisons[last].familyNameLevels != 0
            else { return nil }
            self.first = first
            firstElse = comparisons[first].levels.count - 1
            self.last = last
            lastFamily = comparisons[last].familyNameLevels
        }

        /// Whether a first-name level and a last-name level are those of two members of one family.
        @inline(__always)
        func areFamily(firstLevel: Int, lastLevel: Int) -> Bool {
            firstLevel == firstElse && lastLevel < 16 && lastFamily & UInt16(1) << UInt16(lastLevel) != 0
        }

        @inline(__always)
        func areFamily(_ pattern: UInt64) -> Bool {
            areFamily(firstLevel: PairComparator.level(pattern, first), lastLevel: PairComparator.level(pattern, last))
        }
    }

    /// Tells two members of one family apart on a pattern (`FamilyNames`) with no other comparison that is not
    /// a household's on its exact level (two records with one email or one birth date are one person whose
    /// nickname no level knows, more likely than relatives). Their household comparisons
    /// (`Comparison.household`) are then taken as null.
    struct FamilyRule: Sendable {
        var names: FamilyNames
        /// Four bits per household comparison.
        var householdBits: UInt64
        /// Per other comparison (neither name nor household) with an exact level: four bits set to it, at its place.
        var personalExact: UInt64
        var personalMask: UInt64

        /// nil when no comparison is a household's, or when the name comparisons to tell a family by are missing.
        init?(_ comparisons: [Comparison]) {
            guard let names = FamilyNames(comparisons) else { return nil }
            let bits = comparisons.indices.reduce(UInt64(0)) { bits, c in
                comparisons[c].household ? bits | UInt64(0xF) << (UInt64(c) * 4) : bits
            }
            guard bits != 0 else { return nil }
            var exactLevels: UInt64 = 0
            var mask: UInt64 = 0
            for c in comparisons.indices where !comparisons[c].household && c != names.first && c != names.last {
                guard let level = comparisons[c].levels.firstIndex(where: { $0.kind == .exact }) else { continue }
                exactLevels |= UInt64(level) << (UInt64(c) * 4)
                mask |= UInt64(0xF) << (UInt64(c) * 4)
            }
            personalExact = exactLevels
            personalMask = mask
            self.names = names
            householdBits = bits
        }

        /// `pattern` with the household comparisons taken as null when it is two members of one family.
        @inline(__always)
        func apply(_ pattern: UInt64) -> UInt64 {
            guard names.areFamily(pattern) else { return pattern }
            // A personal comparison on its exact level leaves its four bits of the XOR zero.
            let difference = (pattern ^ personalExact) & personalMask
            var remaining = personalMask
            while remaining != 0 {
                let shift = UInt64(remaining.trailingZeroBitCount)
                if (difference >> shift) & 0xF == 0 { return pattern }
                remaining &= ~(UInt64(0xF) << shift)
            }
            return pattern & ~householdBits
        }
    }

    public init(comparisons: [Comparison], records: MatchRecords) {
        self.comparisons = comparisons
        self.records = records
        family = FamilyRule(comparisons)
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
        return family?.apply(pattern) ?? pattern
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
