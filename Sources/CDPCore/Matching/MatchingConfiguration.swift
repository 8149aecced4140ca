/// How customers are matched: hard identifiers, blocking rules, comparisons, estimation, thresholds,
/// clustering and survivorship. Plain data (read from `governance/matching.toml` by the engine) so a later
/// step can compile the same settings to SQL.
public struct MatchingConfiguration: Sendable, Hashable, Codable {
    public var thresholds: Thresholds
    /// The prior probability that a candidate pair is a match; nil lets EM estimate it.
    public var prior: Double?
    public var estimation: Estimation
    public var stitching: Stitching
    public var blocking: Blocking
    public var comparisons: [Comparison]
    public var clustering: Clustering
    public var survivorship: SurvivorshipPolicy

    public init(
        thresholds: Thresholds, prior: Double?, estimation: Estimation, stitching: Stitching, blocking: Blocking,
        comparisons: [Comparison], clustering: Clustering, survivorship: SurvivorshipPolicy
    ) {
        self.thresholds = thresholds
        self.prior = prior
        self.estimation = estimation
        self.stitching = stitching
        self.blocking = blocking
        self.comparisons = comparisons
        self.clustering = clustering
        self.survivorship = survivorship
    }

    /// Match probabilities that split pairs into merge, review and no match.
    public struct Thresholds: Sendable, Hashable, Codable {
        /// At or above: merged without review.
        public var autoMerge: Double
        /// At or above (and below `autoMerge`): sent to the steward queue.
        public var review: Double
        public init(autoMerge: Double, review: Double) {
            self.autoMerge = autoMerge
            self.review = review
        }
    }

    public struct Estimation: Sendable, Hashable, Codable {
        /// Random record pairs drawn to estimate u (how often levels occur among non-matches).
        public var randomPairs: Int
        public var emIterations: Int
        /// EM stops when no m moves by more than this.
        public var convergence: Double
        public var seed: UInt64
        /// A comparison seen (not null) on at least this many presumed matches — hard-identifier links that do
        /// not make it agree by construction, and steward approvals — takes m from them instead of from EM;
        /// 0 turns this off.
        public var minLinkedPairs: Int
        /// Comparisons (by name) whose exact agreement makes the others' u be estimated again, among pairs that agree
        /// on all of them (`FellegiSunterModel.GivenAgreement`); empty: u from random pairs alone.
        public var uGiven: [String]
        public init(
            randomPairs: Int, emIterations: Int, convergence: Double, seed: UInt64, minLinkedPairs: Int = 1000, uGiven: [String] = []
        ) {
            self.randomPairs = randomPairs
            self.emIterations = emIterations
            self.convergence = convergence
            self.seed = seed
            self.minLinkedPairs = minLinkedPairs
            self.uGiven = uGiven
        }
    }

    /// Identifiers that link records outright, before any scoring.
    public struct Stitching: Sendable, Hashable, Codable {
        public var identifiers: [HardIdentifier]
        /// A value held by more records than this (a shared family inbox, a switchboard number) is not
        /// trusted as an identifier: it would chain unrelated people.
        public var maxRecordsPerValue: Int
        /// The source whose primary keys a `crm_id` identifier refers to.
        public var crmSource: SourceName
        public init(identifiers: [HardIdentifier], maxRecordsPerValue: Int, crmSource: SourceName) {
            self.identifiers = identifiers
            self.maxRecordsPerValue = maxRecordsPerValue
            self.crmSource = crmSource
        }
    }

    public enum HardIdentifier: Sendable, Hashable, Codable, CaseIterable, RawRepresentable {
        /// The standardised (lower-cased, validated) email address.
        case email
        /// `crm_customer_id` carried by another source, equal to a CRM record's key.
        case crmID
        /// The E.164 phone number.
        case phone
        /// An extra attribute a source maps (`attributes.national_id`), equal on its folded form.
        case attribute(String)

        /// The identifiers of the canonical model (an extra attribute is named `attributes.<name>`).
        public static let allCases: [HardIdentifier] = [.email, .crmID, .phone]

        public init?(rawValue: String) {
            switch rawValue {
            case "email": self = .email
            case "crm_id": self = .crmID
            case "phone": self = .phone
            default:
                guard let name = MatchField.attributeName(rawValue) else { return nil }
                self = .attribute(name)
            }
        }

        public var rawValue: String {
            switch self {
            case .email: return "email"
            case .crmID: return "crm_id"
            case .phone: return "phone"
            case .attribute(let name): return MatchField.attributePrefix + name
            }
        }

        public init(from decoder: any Decoder) throws { self = try MatchField.decodeRaw(Self.self, from: decoder) }
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(rawValue)
        }

        /// Fields two records linked by this identifier agree on by construction: an address like
        /// "maria.garcia@…" spells the names, so a wrong email link (namesakes sharing an inbox) still agrees on
        /// them. m is not counted on such links for these fields.
        public var correlatedFields: [MatchField] {
            switch self {
            case .email: return [.email, .firstName, .lastName]
            case .phone: return [.phone]
            case .crmID: return []
            case .attribute(let name): return [.attribute(name)]
            }
        }
    }

    public struct Blocking: Sendable, Hashable, Codable {
        public var rules: [BlockingRule]
        /// Blocks larger than this are skipped (their pairs would swamp scoring and say little).
        public var maxBlockSize: Int
        public init(rules: [BlockingRule], maxBlockSize: Int) {
            self.rules = rules
            self.maxBlockSize = maxBlockSize
        }
    }

    public struct Clustering: Sendable, Hashable, Codable {
        /// No cluster grows beyond this many records.
        public var maxClusterSize: Int
        /// Clusters of three or more whose share of linked pairs is below this are split at their weakest link.
        public var minDensity: Double
        public init(maxClusterSize: Int, minDensity: Double) {
            self.maxClusterSize = maxClusterSize
            self.minDensity = minDensity
        }
    }
}

/// One blocking rule: candidate pairs are records equal on every key (and with none missing).
public struct BlockingRule: Sendable, Hashable, Codable {
    public var name: String
    public var keys: [DerivedKey]
    public init(name: String, keys: [DerivedKey]) {
        self.name = name
        self.keys = keys
    }
}

/// A key derived from a record for blocking.
public enum DerivedKey: Sendable, Hashable, Codable, CaseIterable, RawRepresentable {
    case surnamePhonetic
    case surname
    case firstName
    /// The first name's formal form from the nickname table ("bob" → "robert").
    case firstNameCanonical
    case firstInitial
    case birthYear
    case birthDate
    case postcode
    case emailLocalPart
    /// The last seven digits of the E.164 phone.
    case phoneLastDigits
    case city
    /// First and last name taken as a pair in either order: the same for "Ann Lee" and "Lee Ann", so a
    /// rule on it reaches records whose names were swapped.
    case namesUnordered
    /// An extra attribute a source maps (`attributes.soc_sec_id`), on its folded form.
    case attribute(String)

    /// The keys of the canonical model (an extra attribute is named `attributes.<name>`).
    public static let allCases: [DerivedKey] = [
        .surnamePhonetic, .surname, .firstName, .firstNameCanonical, .firstInitial, .birthYear, .birthDate, .postcode,
        .emailLocalPart, .phoneLastDigits, .city, .namesUnordered,
    ]

    public init?(rawValue: String) {
        if let known = Self.allCases.first(where: { $0.rawValue == rawValue }) {
            self = known
        } else if let name = MatchField.attributeName(rawValue) {
            self = .attribute(name)
        } else {
            return nil
        }
    }

    public var rawValue: String {
        switch self {
        case .surnamePhonetic: return "surname_phonetic"
        case .surname: return "surname"
        case .firstName: return "first_name"
        case .firstNameCanonical: return "first_name_canonical"
        case .firstInitial: return "first_initial"
        case .birthYear: return "birth_year"
        case .birthDate: return "birth_date"
        case .postcode: return "postcode"
        case .emailLocalPart: return "email_local_part"
        case .phoneLastDigits: return "phone_last_digits"
        case .city: return "city"
        case .namesUnordered: return "names_unordered"
        case .attribute(let name): return MatchField.attributePrefix + name
        }
    }

    public init(from decoder: any Decoder) throws { self = try MatchField.decodeRaw(Self.self, from: decoder) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The field whose comparison a rule on this key makes agree.
    public var field: MatchField {
        switch self {
        case .surnamePhonetic, .surname: return .lastName
        case .firstName, .firstNameCanonical, .firstInitial: return .firstName
        case .birthYear, .birthDate: return .birthDate
        case .postcode: return .postcode
        case .emailLocalPart: return .email
        case .phoneLastDigits: return .phone
        case .city: return .city
        case .namesUnordered: return .lastName
        case .attribute(let name): return .attribute(name)
        }
    }

    /// The fields a rule on this key makes agree, or far likelier to agree than at random: its own field, the
    /// city a postcode lies in, the names a local part like "maria.garcia" spells. EM leaves their comparisons
    /// out of the rule's session; otherwise non-matches in its blocks (neighbours, namesakes) agree where random
    /// pairs do not, the fixed u cannot explain them, and the "match" class swallows the whole block.
    public var correlatedFields: [MatchField] {
        switch self {
        case .postcode: return [.postcode, .city]
        case .emailLocalPart: return [.email, .firstName, .lastName]
        case .namesUnordered: return [.firstName, .lastName]
        default: return [field]
        }
    }
}

/// The attributes comparisons read: the canonical ones, and any extra attribute a source maps.
public enum MatchField: Sendable, Hashable, Codable, CaseIterable, RawRepresentable {
    case firstName
    case lastName
    case birthDate
    case email
    case phone
    case postcode
    case city
    /// The street line as standardised (compared on its folded form: case and spacing do not count).
    case street
    case country
    /// An extra attribute a source maps in `[sources.attributes]` (`attributes.soc_sec_id`), compared on its
    /// folded form (lower-case letters and digits: `123-45 67` and `1234567` agree).
    case attribute(String)

    /// The fields of the canonical model (an extra attribute is named `attributes.<name>`).
    public static let allCases: [MatchField] = [.firstName, .lastName, .birthDate, .email, .phone, .postcode, .city, .street, .country]

    /// How a configuration names an extra attribute: `attributes.<name>`.
    public static let attributePrefix = "attributes."

    /// The attribute name in `attributes.<name>`, if `text` is spelled so and the name is a valid one.
    public static func attributeName(_ text: String) -> String? {
        guard text.hasPrefix(attributePrefix) else { return nil }
        let name = String(text.dropFirst(attributePrefix.count))
        return SourceConfiguration.isAttributeName(name) ? name : nil
    }

    public init?(rawValue: String) {
        switch rawValue {
        case "first_name": self = .firstName
        case "last_name": self = .lastName
        case "birth_date": self = .birthDate
        case "email": self = .email
        case "phone": self = .phone
        case "postcode": self = .postcode
        case "city": self = .city
        case "street": self = .street
        case "country": self = .country
        default:
            guard let name = Self.attributeName(rawValue) else { return nil }
            self = .attribute(name)
        }
    }

    public var rawValue: String {
        switch self {
        case .firstName: return "first_name"
        case .lastName: return "last_name"
        case .birthDate: return "birth_date"
        case .email: return "email"
        case .phone: return "phone"
        case .postcode: return "postcode"
        case .city: return "city"
        case .street: return "street"
        case .country: return "country"
        case .attribute(let name): return Self.attributePrefix + name
        }
    }

    /// The extra attribute's name, for `.attribute`.
    public var attribute: String? {
        if case .attribute(let name) = self { return name }
        return nil
    }

    public init(from decoder: any Decoder) throws { self = try Self.decodeRaw(Self.self, from: decoder) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// Decodes a value spelled as its raw text (the configuration's spelling).
    static func decodeRaw<T: RawRepresentable>(_ type: T.Type, from decoder: any Decoder) throws -> T where T.RawValue == String {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = T(rawValue: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a known \(T.self)")
        }
        return value
    }
}

/// One comparison: ordered levels, most specific first; the first level that holds wins.
public struct Comparison: Sendable, Hashable, Codable {
    public var name: String
    /// Short upper-case tag for the explanation key (`+NAME -PHONE`).
    public var tag: String
    public var field: MatchField
    public var levels: [ComparisonLevel]
    /// The name of another comparison whose exact agreement already says what this one would: this one is
    /// not counted then (its level is taken as null), so correlated evidence counts once ("city given
    /// postcode": two records with one postcode share the city as a matter of course).
    public var given: String?
    /// A value one household shares (an address, a landline): not counted between two members of one family
    /// (one family name, see `familyNameLevels`, while the first names land on their `else` level), where it
    /// says where they live rather than who they are.
    public var household: Bool
    public init(name: String, tag: String, field: MatchField, levels: [ComparisonLevel], given: String? = nil, household: Bool = false) {
        self.name = name
        self.tag = tag
        self.field = field
        self.levels = levels
        self.given = given
        self.household = household
    }
}

extension Comparison {
    /// The levels (a bit per level index) on which two surnames are one family's name: exact, or one typo or
    /// a close spelling apart (Jaro-Winkler at 0.9 or more, Levenshtein at most 1). A household's records are
    /// typed by hand, so a mistyped surname on one landline is still that family; a sound-alike or a looser
    /// similarity is not (Lee and Li are two families). Empty without an exact level.
    public var familyNameLevels: UInt16 {
        guard levels.contains(where: { $0.kind == .exact }) else { return 0 }
        return levels.indices.reduce(UInt16(0)) { mask, index in
            let level = levels[index]
            let oneFamily: Bool
            switch level.kind {
            case .exact: oneFamily = true
            case .jaroWinkler: oneFamily = (level.threshold ?? 0) >= 0.9
            case .levenshtein: oneFamily = (level.threshold ?? .infinity) <= 1
            default: oneFamily = false
            }
            return oneFamily && index < 16 ? mask | UInt16(1) << UInt16(index) : mask
        }
    }
}

public struct ComparisonLevel: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// Either value missing: no evidence either way (weight 0). Must be the first level.
        case null
        case exact
        /// First names equal through the nickname table.
        case nickname
        /// Same Metaphone code (surnames).
        case phonetic
        /// Jaro–Winkler similarity at or above `threshold`.
        case jaroWinkler = "jaro_winkler"
        /// Levenshtein distance at most `threshold`.
        case levenshtein
        /// Emails with the same local part (a changed or aliased domain).
        case emailLocalPart = "email_local_part"
        /// Dates equal once day and month are swapped.
        case dayMonthSwapped = "day_month_swapped"
        /// Dates at most `threshold` days apart.
        case withinDays = "within_days"
        /// First and last names swapped: this record's first name is the other's last name and the other
        /// way round (on a first- or last-name comparison; put it on one of the two, so it counts once).
        case namesSwapped = "names_swapped"
        /// Everything else. Must be the last level.
        case `else`

        /// The one field a level kind makes sense for, if it is specific.
        public var onlyField: MatchField? {
            switch self {
            case .nickname: return .firstName
            case .phonetic: return .lastName
            case .emailLocalPart: return .email
            case .dayMonthSwapped, .withinDays: return .birthDate
            default: return nil
            }
        }
    }

    public var kind: Kind
    public var threshold: Double?
    /// Shown to stewards ("exact", "Jaro-Winkler ≥ 0.92").
    public var label: String
    /// Adjust the exact level's weight by how common the value is (a shared "smith" says less than "nakashima").
    public var termFrequency: Bool

    public init(_ kind: Kind, threshold: Double? = nil, label: String? = nil, termFrequency: Bool = false) {
        self.kind = kind
        self.threshold = threshold
        self.termFrequency = termFrequency
        self.label = label ?? Self.defaultLabel(kind, threshold)
    }

    public static func defaultLabel(_ kind: Kind, _ threshold: Double?) -> String {
        switch kind {
        case .null: return "missing"
        case .exact: return "exact"
        case .nickname: return "nickname"
        case .phonetic: return "sounds alike"
        case .jaroWinkler: return "Jaro-Winkler ≥ \(DecimalText.format(threshold ?? 0))"
        case .levenshtein: return "≤ \(Int(threshold ?? 0)) edits"
        case .emailLocalPart: return "same local part"
        case .dayMonthSwapped: return "day/month swapped"
        case .withinDays: return "within \(Int(threshold ?? 0)) days"
        case .namesSwapped: return "names swapped"
        case .else: return "different"
        }
    }
}

/// How each golden attribute is chosen from a cluster's records.
public struct SurvivorshipPolicy: Sendable, Hashable, Codable {
    /// Most trusted source first.
    public var sourceOrder: [SourceName]
    /// Attribute → rule; attributes not listed use `defaultRule`.
    public var rules: [String: SurvivorshipRule]
    public var defaultRule: SurvivorshipRule
    public init(sourceOrder: [SourceName], rules: [String: SurvivorshipRule], defaultRule: SurvivorshipRule) {
        self.sourceOrder = sourceOrder
        self.rules = rules
        self.defaultRule = defaultRule
    }

    public func rule(for attribute: String) -> SurvivorshipRule { rules[attribute] ?? defaultRule }
}

public enum SurvivorshipRule: String, Sendable, Hashable, Codable, CaseIterable {
    /// From the most trusted source that has a value (then the most recent).
    case sourceOrder = "source_order"
    /// From the most recently updated record that has a value.
    case mostRecent = "most_recent"
    /// The value most records agree on (ties: source order).
    case mostFrequent = "most_frequent"
    /// The longest value (ties: source order).
    case mostComplete = "most_complete"
}

extension MatchingConfiguration {
    /// Every extra attribute the configuration reads (comparisons, blocking keys, hard identifiers), each with
    /// the setting's path, in file order.
    public var attributeReferences: [(path: String, name: String)] {
        var references: [(path: String, name: String)] = []
        for (index, identifier) in stitching.identifiers.enumerated() {
            if case .attribute(let name) = identifier { references.append(("stitching.identifiers[\(index)]", name)) }
        }
        for (index, rule) in blocking.rules.enumerated() {
            for (keyIndex, key) in rule.keys.enumerated() {
                if case .attribute(let name) = key { references.append(("blocking.rules[\(index)].keys[\(keyIndex)]", name)) }
            }
        }
        for (index, comparison) in comparisons.enumerated() {
            if let name = comparison.field.attribute { references.append(("comparisons[\(index)].field", name)) }
        }
        return references
    }

    /// The extra attributes the configuration reads, sorted, each once.
    public var attributeNames: [String] { Array(Set(attributeReferences.map(\.name))).sorted() }

    /// Checks what decoding cannot: level order, thresholds, keys. Returns every problem, with the setting's path.
    public func problems() -> [ConfigurationIssue] {
        var problems: [ConfigurationIssue] = []
        if !(0 < thresholds.review && thresholds.review <= thresholds.autoMerge && thresholds.autoMerge < 1) {
            problems.append(ConfigurationIssue("thresholds", "need 0 < review (\(thresholds.review)) ≤ auto_merge (\(thresholds.autoMerge)) < 1"))
        }
        if let prior, !(0 < prior && prior < 1) { problems.append(ConfigurationIssue("estimation.prior", "must be between 0 and 1, found \(prior)")) }
        if estimation.randomPairs < 100 { problems.append(ConfigurationIssue("estimation.random_pairs", "must be at least 100")) }
        if estimation.minLinkedPairs < 0 { problems.append(ConfigurationIssue("estimation.min_linked_pairs", "must be 0 (off) or more")) }
        for (index, name) in estimation.uGiven.enumerated() {
            let path = "estimation.u_given[\(index)]"
            guard let comparison = comparisons.first(where: { $0.name == name }) else {
                problems.append(ConfigurationIssue(path, "'\(name)' is not a comparison's name (known: \(comparisons.map(\.name).joined(separator: ", ")))"))
                continue
            }
            if !comparison.levels.contains(where: { $0.kind == .exact }) {
                problems.append(ConfigurationIssue(path, "'\(name)' has no `exact` level for pairs to agree on"))
            }
            if estimation.uGiven[..<index].contains(name) { problems.append(ConfigurationIssue(path, "'\(name)' is named twice")) }
        }
        if !comparisons.isEmpty, Set(estimation.uGiven).count >= comparisons.count {
            problems.append(ConfigurationIssue("estimation.u_given", "must leave at least one comparison to estimate u for"))
        }
        if blocking.rules.isEmpty { problems.append(ConfigurationIssue("blocking", "needs at least one [[blocking.rules]]")) }
        for (index, rule) in blocking.rules.enumerated() where rule.keys.isEmpty {
            problems.append(ConfigurationIssue("blocking.rules[\(index)].keys", "must name at least one key"))
        }
        if blocking.maxBlockSize < 2 { problems.append(ConfigurationIssue("blocking.max_block_size", "must be at least 2")) }
        if comparisons.isEmpty { problems.append(ConfigurationIssue("comparisons", "needs at least one [[comparisons]]")) }
        if comparisons.count > 16 { problems.append(ConfigurationIssue("comparisons", "at most 16 comparisons are supported")) }
        for (index, comparison) in comparisons.enumerated() {
            let path = "comparisons[\(index)]"
            let levels = comparison.levels
            if let given = comparison.given {
                if let other = comparisons.first(where: { $0.name == given }), other.name != comparison.name {
                    if !other.levels.contains(where: { $0.kind == .exact }) {
                        problems.append(ConfigurationIssue("\(path).given", "'\(given)' has no `exact` level to be given"))
                    }
                } else {
                    let names = comparisons.map(\.name).filter { $0 != comparison.name }.joined(separator: ", ")
                    problems.append(ConfigurationIssue("\(path).given", "'\(given)' is not another comparison's name (known: \(names))"))
                }
            }
            if comparison.household && PairComparator.FamilyRule(comparisons) == nil {
                problems.append(
                    ConfigurationIssue(
                        "\(path).household",
                        "needs a first_name comparison and a last_name comparison with an `exact` level, which tell two members of one family apart"))
            }
            if levels.count < 3 || levels.count > 15 {
                problems.append(ConfigurationIssue("\(path).levels", "needs 3 to 15 levels (null, at least one, else), found \(levels.count)"))
            }
            if levels.first?.kind != .null { problems.append(ConfigurationIssue("\(path).levels[0]", "the first level must be `null`")) }
            if levels.last?.kind != .else { problems.append(ConfigurationIssue("\(path).levels[\(max(0, levels.count - 1))]", "the last level must be `else`")) }
            for (levelIndex, level) in levels.enumerated() {
                let levelPath = "\(path).levels[\(levelIndex)]"
                if (level.kind == .null && levelIndex != 0) || (level.kind == .else && levelIndex != levels.count - 1) {
                    problems.append(ConfigurationIssue(levelPath, "`\(level.kind.rawValue)` must be the \(level.kind == .null ? "first" : "last") level"))
                }
                switch level.kind {
                case .jaroWinkler:
                    if let threshold = level.threshold, 0 < threshold && threshold <= 1 { break }
                    problems.append(ConfigurationIssue("\(levelPath).threshold", "jaro_winkler needs a threshold between 0 and 1"))
                case .levenshtein, .withinDays:
                    if let threshold = level.threshold, threshold >= 0 { break }
                    problems.append(ConfigurationIssue("\(levelPath).threshold", "\(level.kind.rawValue) needs a threshold of 0 or more"))
                default: break
                }
                if let only = level.kind.onlyField, only != comparison.field {
                    problems.append(ConfigurationIssue(levelPath, "\(level.kind.rawValue) applies only to \(only.rawValue)"))
                }
                if level.kind == .namesSwapped && comparison.field != .firstName && comparison.field != .lastName {
                    problems.append(ConfigurationIssue(levelPath, "names_swapped applies only to first_name or last_name"))
                }
                if level.termFrequency && level.kind != .exact {
                    problems.append(ConfigurationIssue("\(levelPath).term_frequency", "term frequency adjusts only `exact` levels"))
                }
            }
        }
        if clustering.maxClusterSize < 2 { problems.append(ConfigurationIssue("clustering.max_cluster_size", "must be at least 2")) }
        if !(0...1).contains(clustering.minDensity) { problems.append(ConfigurationIssue("clustering.min_density", "must be between 0 and 1")) }
        return problems
    }
}
