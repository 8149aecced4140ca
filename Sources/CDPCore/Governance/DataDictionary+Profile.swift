import Foundation

/// A value and how often it occurs in a sample.
public struct ValueCount: Hashable, Codable, Sendable {
    public var value: String
    public var count: Int

    public init(value: String, count: Int) {
        self.value = value
        self.count = count
    }
}

/// What a sample of values looks like as a whole, when most of it agrees.
public enum DetectedContent: String, Codable, Sendable, Hashable, CaseIterable {
    case email, phone, timestamp, date, country, boolean, number
    /// Whole records or free text that quotes them (a JSON object, a delimited line).
    case record

    /// The `format` check that proves it, when rules.toml has one.
    var format: ValueFormat? {
        switch self {
        case .email: return .email
        case .phone: return .phone
        case .timestamp: return .timestamp
        case .date: return .date
        case .country: return .country
        case .number: return .decimal
        case .boolean, .record: return nil
        }
    }

    var formatText: String? {
        switch self {
        case .email: return DictionaryCatalog.format(.email)
        case .phone: return DictionaryCatalog.format(.phone)
        case .timestamp: return DictionaryCatalog.format(.timestamp)
        case .date: return DictionaryCatalog.format(.date)
        case .country: return DictionaryCatalog.format(.country)
        case .boolean: return DictionaryCatalog.format(.boolean)
        case .number: return DictionaryCatalog.format(.decimal)
        case .record: return nil
        }
    }
}

/// A column's profile over a sample: how many values are missing, how many distinct, the commonest
/// values and shape, and what the values are when most of them agree.
public struct ColumnProfile: Hashable, Codable, Sendable {
    public var sampled: Int
    /// Null, empty or blank values.
    public var nulls: Int
    public var distinct: Int
    /// The five commonest values, commonest first (ties by value).
    public var topValues: [ValueCount]
    /// Every distinct value, sorted, when there are at most ``closedListLimit``; empty otherwise.
    public var distinctValues: [String]
    /// The commonest shape: letters as `a`, digits as `9`, runs shortened to four, e.g. `aaaa@aaaa.aaa`.
    public var pattern: String?
    /// Share of the non-null values with that shape.
    public var patternShare: Double
    public var detected: DetectedContent?
    /// Share of the non-null values that are `detected`.
    public var detectedShare: Double

    /// Whether the figures that tell how values repeat (``distinct``, ``topValues``, ``distinctValues``, ``pattern``)
    /// are withheld: a personal column profiled for a user without `view_pii`, to whom `cdp query` refuses the same
    /// counts (`count(DISTINCT email)`, `GROUP BY birth_date`). Nil or false when they are shown.
    public var repetitionWithheld: Bool?

    /// Share of values recognised before a kind counts as detected.
    public static let detectionThreshold = 0.8
    /// The most distinct values a column may have for them to be offered as its allowed values.
    public static let closedListLimit = 12

    public var nullRate: Double { sampled == 0 ? 0 : Double(nulls) / Double(sampled) }
    public var nonNull: Int { sampled - nulls }

    /// Profiles sampled values; `defaultCountry` reads national phone numbers.
    public init(values: [String?], defaultCountry: CountryCode? = nil) {
        sampled = values.count
        var counts: [String: Int] = [:]
        var shapes: [String: Int] = [:]
        var nulls = 0
        for value in values {
            guard let value, !value.trimmingCharacters(in: .whitespaces).isEmpty else {
                nulls += 1
                continue
            }
            counts[value, default: 0] += 1
            shapes[Self.shape(of: value), default: 0] += 1
        }
        self.nulls = nulls
        distinct = counts.count
        topValues = counts.map { ValueCount(value: $0.key, count: $0.value) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.value < $1.value }.prefix(5).map { $0 }
        distinctValues = counts.count <= Self.closedListLimit ? counts.keys.sorted() : []
        let nonNull = values.count - nulls
        if let top = shapes.max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }) {
            pattern = top.key
            patternShare = Double(top.value) / Double(nonNull)
        } else {
            pattern = nil
            patternShare = 0
        }
        (detected, detectedShare) = Self.detect(counts, nonNull: nonNull, defaultCountry: defaultCountry)
    }

    /// `Jane.Doe@example.com` → `aaaa.aaa@aaaa.aaa`; `+44 7700 900123` → `+99 9999 9999`. At most 24 characters.
    public static func shape(of value: String) -> String {
        var result = ""
        var last: Character?
        var run = 0
        for character in value.trimmingCharacters(in: .whitespaces) {
            let symbol: Character = character.isLetter ? "a" : (character.isNumber ? "9" : character)
            run = symbol == last ? run + 1 : 1
            last = symbol
            // Runs are shortened so that values of one kind but different lengths share a shape.
            if (symbol == "a" || symbol == "9") && run > 4 { continue }
            result.append(symbol)
            if result.count == 24 { return result + "…" }
        }
        return result
    }

    /// The content most values are, tried from the most specific; distinct values weighted by count.
    static func detect(_ counts: [String: Int], nonNull: Int, defaultCountry: CountryCode?) -> (DetectedContent?, Double) {
        guard nonNull > 0 else { return (nil, 0) }
        func share(_ test: (String) -> Bool) -> Double {
            Double(counts.reduce(0) { $0 + (test($1.key) ? $1.value : 0) }) / Double(nonNull)
        }
        let detectors: [(DetectedContent, (String) -> Bool)] = [
            (.record, { $0.hasPrefix("{") || $0.filter { $0 == "," || $0 == ";" || $0 == "\t" }.count >= 3 }),
            (.email, { EmailAddress.standardize($0).value != nil }),
            (.timestamp, { ($0.contains("T") || $0.contains(":")) && DateParsing.parseTimestamp($0).value != nil }),
            (.date, { DateParsing.parseDate($0).value != nil && !$0.contains(":") }),
            (.boolean, { ["0", "1", "true", "false", "yes", "no"].contains($0.lowercased()) }),
            // Before numbers, which "+447700900123" also reads as; a bare run of digits stays a number.
            (
                .phone,
                { value in
                    !value.allSatisfy(\.isNumber) && value.filter(\.isNumber).count >= 7
                        && PhoneNumber.standardize(value, defaultCountry: defaultCountry).value != nil
                }
            ),
            (.number, { Double($0.trimmingCharacters(in: .whitespaces)) != nil }),
            (.country, { $0.count == 2 && $0 == $0.uppercased() && CountryCode(alpha2: $0) != nil }),
        ]
        for (content, test) in detectors {
            let found = share(test)
            if found >= detectionThreshold { return (content, found) }
        }
        return (nil, 0)
    }

    /// The profile of a personal column for a principal without `view_pii`: how many values are empty and what
    /// they look like as a whole stay; no value, and nothing of how values repeat (how many are distinct, the
    /// commonest and their counts, the commonest shape), which the query boundary refuses too.
    public func withholdingRepetition() -> ColumnProfile {
        var copy = self
        copy.distinct = 0
        copy.topValues = []
        copy.distinctValues = []
        copy.pattern = nil
        copy.patternShare = 0
        copy.repetitionWithheld = true
        return copy
    }
}

/// What the data suggests for an entry: a classification, tags, rules, format, allowed values and an
/// example, each with the reason, for a steward to accept or not.
public struct DictionarySuggestion: Hashable, Codable, Sendable {
    public var key: DictionaryKey
    public var profile: ColumnProfile
    public var classification: DataClassification
    public var tags: [String]
    /// Rule ids from rules.toml that check what the values are.
    public var rules: [String]
    public var allowedValues: [String]
    public var format: String?
    /// Never a real personal value: masked when the column holds personal data.
    public var example: String?
    public var reasons: [String]

    /// What accepting does to `entry`: adds the tags and rules, raises the classification (never lowers
    /// it), and fills the format, allowed values and example when they are empty.
    public func change(for entry: DictionaryEntry) -> DictionaryChange {
        var change = DictionaryChange()
        let classification = max(entry.classification ?? classification, classification)
        if classification != entry.classification { change.classification = classification.rawValue }
        let tags = Array(Set(entry.tags + self.tags)).sorted()
        if tags != entry.tags { change.tags = tags }
        let rules = entry.rules + self.rules.filter { !entry.rules.contains($0) }
        if rules != entry.rules { change.rules = rules }
        if entry.allowedValues.isEmpty, !allowedValues.isEmpty { change.allowedValues = allowedValues }
        if entry.format == nil, let format { change.format = format }
        if entry.example == nil, let example { change.example = example }
        return change
    }
}

extension DataDictionary {
    /// Column names that say a value is part of a person's name or address.
    static let nameColumns = ["first_name", "last_name", "full_name", "surname", "given_name", "family_name", "forename", "first", "last"]
    static let addressWords = ["street", "address", "postcode", "post_code", "zip"]
    static let birthWords = ["birth", "born", "dob", "birthday"]

    /// A suggestion for `entry` from its column's profile. `candidateRules` are the rules that apply to the
    /// column or to what feeds it; those whose check proves the detected content are offered.
    public static func suggest(for entry: DictionaryEntry, profile: ColumnProfile, candidateRules: [RuleDefinition]) -> DictionarySuggestion
    {
        var reasons: [String] = []
        var tags: [String] = []
        let column = entry.column.lowercased()
        let percent = { (share: Double) in "\(Int((share * 100).rounded()))%" }
        var kind: PIIKind?
        switch profile.detected {
        case .email?:
            kind = .email
            reasons.append("\(percent(profile.detectedShare)) of the values are e-mail addresses")
        case .phone?:
            kind = .phone
            reasons.append("\(percent(profile.detectedShare)) of the values are phone numbers")
        case .date? where birthWords.contains(where: column.contains):
            kind = .birthDate
            reasons.append("\(percent(profile.detectedShare)) of the values are dates and the column is named for a birth date")
        case .record?:
            reasons.append("\(percent(profile.detectedShare)) of the values are whole records or delimited lines")
        case let content?:
            reasons.append(
                "\(percent(profile.detectedShare)) of the values are \(content.rawValue == "number" ? "numbers" : content.rawValue + "s")")
        case nil:
            if nameColumns.contains(column) {
                kind = .name
                reasons.append("the column is named for part of a person's name")
            } else if addressWords.contains(where: column.contains) {
                kind = .address
                reasons.append("the column is named for part of an address")
            }
        }
        if profile.detected == .record {
            tags.append(recordTag)
        } else if let kind {
            tags.append(kind.rawValue)
        }
        let classification: DataClassification = profile.detected == .record ? .restricted : (kind != nil ? .confidential : .internal)
        var rules: [String] = []
        if let format = profile.detected?.format {
            let proving = candidateRules.filter { rule in
                if case .format(_, let checked) = rule.check { return checked == format }
                return false
            }
            rules += proving.map(\.name)
            if proving.isEmpty {
                reasons.append(
                    "no rule in governance/rules.toml checks it as \(format.name); add a [[rules]] with check = \"format\" and format = \"\(format.name)\""
                )
            } else {
                reasons.append("\(proving.map(\.name).joined(separator: ", ")) check\(proving.count == 1 ? "s" : "") it as \(format.name)")
            }
        }
        var allowedValues: [String] = []
        // A short closed list, each value seen several times: a code worth pinning down.
        if kind == nil, profile.detected != .record, profile.detected != .boolean, !profile.distinctValues.isEmpty,
            profile.nonNull >= 20, profile.distinct * 5 <= profile.nonNull
        {
            allowedValues = profile.distinctValues
            reasons.append("only \(profile.distinct) distinct values in \(profile.nonNull)")
            let checking = candidateRules.filter { if case .allowedValues = $0.check { return true } else { return false } }
            rules += checking.map(\.name).filter { !rules.contains($0) }
        }
        var example = profile.topValues.first?.value
        if profile.detected == .record {
            example = nil
        } else if let kind, let value = example {
            example = PIIMasker.mask(value, as: kind)
        }
        if profile.nullRate > 0 { reasons.append("\(percent(profile.nullRate)) of the sampled values are empty") }
        return DictionarySuggestion(
            key: entry.key, profile: profile, classification: classification, tags: tags, rules: rules, allowedValues: allowedValues,
            format: profile.detected?.formatText, example: example, reasons: reasons)
    }
}
