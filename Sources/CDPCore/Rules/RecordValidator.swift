import Foundation

/// What validation needs from outside the record: the date, and which keys other sources hold.
public struct ValidationEnvironment: Sendable {
    /// Today as an ISO date, from the injected clock.
    public var today: String
    /// Current keys of each referenced source, by source. Kept as two short lists: a reference rule looks
    /// its source up for every row, and comparing a name or two costs less than hashing one.
    private let referencedSources: [SourceName]
    private let referencedKeys: [KeySet]

    public init(today: String, referenceKeys: [SourceName: KeySet] = [:]) {
        self.today = today
        let sorted = referenceKeys.sorted { $0.key.rawValue < $1.key.rawValue }
        referencedSources = sorted.map(\.key)
        referencedKeys = sorted.map(\.value)
    }

    /// Whether `source` currently holds a record with `key`; false for a source not read.
    public func isKnown(_ key: String, in source: SourceName) -> Bool {
        for index in referencedSources.indices where referencedSources[index] == source {
            return referencedKeys[index].contains(key)
        }
        return false
    }
}

/// Values already claimed by `unique` rules in this batch, with the line that claimed them.
public struct UniquenessLedger: Sendable {
    fileprivate var claimed: [Int: [String: Int]] = [:]
    /// Room reserved for each rule's values, so a large batch does not rehash its table as it grows.
    fileprivate var expectedValues = 0
    /// Set by a caller that already tracks this batch's source keys (ingestion does, to detect changes):
    /// the line that claimed the current row's key earlier in the batch, or 0. Unique rules on the source
    /// key then read it instead of keeping a second table of every key. Nil: the ledger keeps its own.
    public var sourceKeyClaimedAt: Int?

    public init(expectedValues: Int = 0) {
        self.expectedValues = max(0, expectedValues)
    }
}

/// The rules of one source, resolved against its entity so that checking a row does no lookups by name.
public struct RecordValidator: Sendable {
    public let source: SourceConfiguration
    public let rules: [RuleDefinition]
    private let compiled: [CompiledRule]
    /// What rules need beyond field positions, by the slot their compiled form names. Kept out of
    /// ``CompiledRule`` so that walking the rules for every row copies plain values and retains nothing.
    private let tables: RuleTables
    /// By field index: whether a standardisation failure is reported by a declared `format` rule.
    private let formatCovered: [Bool]
    /// By field index: the longest value read (``FieldLimits``), in bytes.
    private let limits: [Int]

    /// Builds the validator. The rule set must have no problems (see `RuleSet.problems`).
    public init(source: SourceConfiguration, rules: [RuleDefinition]) {
        self.source = source
        self.rules = rules.filter { $0.dataset == source.name && $0.check.isRowLevel }
        let entity = source.entity
        func index(_ field: String) -> FieldRef {
            field == RuleFieldName.sourceKey ? .sourceKey : .field(entity.fieldIndex(field) ?? 0)
        }
        var covered: Set<Int> = []
        var tables = RuleTables()
        // The most severe `format` rule on each field: it reports a value standardisation had to drop.
        var formatSeverity: [Int: RuleSeverity] = [:]
        for rule in self.rules {
            guard case .format(let field, let format) = rule.check, format.name != "regex", let i = entity.fieldIndex(field) else { continue }
            formatSeverity[i] = max(formatSeverity[i] ?? .warn, rule.severity)
        }
        compiled = self.rules.map { rule in
            switch rule.check {
            case .required(let fields, let anyOf):
                // A value standardisation dropped is missing from silver: the rule fails for it too, unless a
                // format rule at least as severe already reports it (no second failure for one bad value).
                tables.requiredFields.append(fields.map { field in
                    let ref = index(field)
                    guard case .field(let i) = ref else { return (ref, false) }
                    return (ref, formatSeverity[i].map { $0 < rule.severity } ?? true)
                })
                tables.requiredAny.append(anyOf.map(index))
                return .required(slot: tables.requiredFields.count - 1)
            case .format(let field, let format):
                let ref = index(field)
                if case .regex(let pattern) = format {
                    let expression = try? NSRegularExpression(pattern: "^(?:\(pattern))$")
                    tables.regexes.append(expression.map(RegexBox.init))
                    return .regex(ref, slot: tables.regexes.count - 1)
                }
                if case .field(let i) = ref { covered.insert(i) }
                tables.formatNames.append(format.name)
                return .standardized(ref, slot: tables.formatNames.count - 1)
            case .allowedValues(let field, let values):
                tables.allowed.append((AllowedValues(values.map { $0.lowercased() }), values))
                return .allowed(index(field), slot: tables.allowed.count - 1)
            case .range(let field, let low, let high):
                tables.ranges.append((low, high))
                return .range(index(field), slot: tables.ranges.count - 1)
            case .length(let field, let low, let high): return .length(index(field), low, high)
            case .unique(let field): return .unique(index(field))
            case .compare(let left, let op, let right): return .compare(index(left), op, index(right))
            case .reference(let field, let target):
                tables.references.append(target)
                return .reference(index(field), slot: tables.references.count - 1)
            case .rowCount:
                tables.requiredFields.append([])
                tables.requiredAny.append([])
                return .required(slot: tables.requiredFields.count - 1)
            }
        }
        self.tables = tables
        formatCovered = entity.fields.indices.map(covered.contains)
        limits = entity.fields.map { FieldLimits.maximumBytes($0.kind) }
    }

    /// Checks one record: first what any record must be (values within ``FieldLimits``, a key of visible
    /// characters), then every rule in declaration order, then reports unreadable typed values that no
    /// `format` rule covers (as warnings: the value is dropped from silver, kept in bronze).
    public func validate(
        _ record: StandardizedRecord, line: Int, environment: ValidationEnvironment,
        ledger: inout UniquenessLedger
    ) -> [RuleFailure] {
        var failures: [RuleFailure] = []
        checkReadable(record, &failures)
        for position in compiled.indices {
            if let failure = check(compiled[position], record, line, environment, position, &ledger) {
                failures.append(failure)
            }
        }
        let fields = source.entity.fields
        for index in record.failures.indices where !formatCovered[index] {
            guard let reason = record.failures[index] else { continue }
            failures.append(
                RuleFailure(
                    rule: BuiltInRule.unreadable(fields[index].name), field: fields[index].name,
                    value: record.raw[index], message: reason, severity: .warn))
        }
        return failures
    }

    /// The values silver keeps of `record`: its standardised values, less each one an `omit_value` rule failed
    /// on (``RuleSeverity/omitValue``). Ingestion, the Spark worker and a steward's release all write these.
    public func silverValues(_ record: StandardizedRecord, failures: [RuleFailure]) -> [FieldValue?] {
        var values = record.values
        for failure in failures where failure.severity == .omitValue {
            guard let field = failure.field, let index = source.entity.fieldIndex(field), index < values.count else { continue }
            values[index] = nil
        }
        return values
    }

    private func check(
        _ rule: CompiledRule, _ record: StandardizedRecord, _ line: Int,
        _ environment: ValidationEnvironment, _ position: Int, _ ledger: inout UniquenessLedger
    ) -> RuleFailure? {
        func fail(_ field: FieldRef?, _ message: String) -> RuleFailure {
            // Only a failing row reads its rule's definition: copying it for every row costs retains.
            let definition = rules[position]
            var text = definition.description.map { "\($0): \(message)" } ?? message
            if definition.severity == .omitValue, let field { text += "; \(name(field)) is left out of silver (omit_value)" }
            return RuleFailure(
                rule: definition.name, field: field.map(name), value: field.flatMap { raw($0, record) },
                message: text, severity: definition.severity)
        }
        switch rule {
        case .required(let slot):
            let fields = tables.requiredFields[slot]
            let missing = fields.filter { raw($0.ref, record).flatMap(TextNormalization.clean) == nil }.map(\.ref)
            let emptied = fields.filter { field in
                guard field.countsEmptied, case .field(let index) = field.ref else { return false }
                return record.failure(at: index) != nil
            }.map(\.ref)
            // At least one of `any_of`: a value standardisation dropped is no value here, whatever reports it.
            let anyOf = tables.requiredAny[slot]
            let noneOf = !anyOf.isEmpty && anyOf.allSatisfy { ref in
                guard raw(ref, record).flatMap(TextNormalization.clean) != nil else { return true }
                guard case .field(let index) = ref else { return false }
                return record.failure(at: index) != nil
            }
            guard let first = missing.first ?? emptied.first ?? (noneOf ? anyOf.first : nil) else { return nil }
            // A failure is masked as its field is: it quotes no other field's value (or the reason, which quotes it),
            // since that field's own failure carries them (attack 11, F4).
            func dropped(_ ref: FieldRef, _ index: Int, _ reason: String) -> String {
                ref == first
                    ? "\(name(ref)) '\(record.raw[index] ?? "")' is empty once standardised (\(reason))"
                    : "\(name(ref)) is empty once standardised"
            }
            var parts: [String] = []
            if !missing.isEmpty {
                let names = missing.map(name).joined(separator: ", ")
                parts.append(missing.count == 1 ? "\(names) is missing" : "\(names) are missing")
            }
            for ref in emptied {
                guard case .field(let index) = ref else { continue }
                parts.append(dropped(ref, index, record.failure(at: index) ?? ""))
            }
            if noneOf {
                let names = anyOf.map(name)
                let all = names.count == 2 ? "both" : "all"
                var text = "\(names.dropLast().joined(separator: ", ")) and \(names[names.count - 1]) are \(all) missing (at least one is required)"
                let dropped = anyOf.compactMap { ref -> String? in
                    guard case .field(let index) = ref, let reason = record.failure(at: index) else { return nil }
                    return dropped(ref, index, reason)
                }
                if !dropped.isEmpty { text += ": " + dropped.joined(separator: ", ") }
                parts.append(text)
            }
            return fail(first, parts.joined(separator: "; "))
        case .standardized(let ref, let slot):
            guard case .field(let index) = ref, let reason = record.failure(at: index) else { return nil }
            return fail(ref, "not a valid \(tables.formatNames[slot]): \(reason)")
        case .regex(let ref, let slot):
            guard let value = raw(ref, record), !value.isEmpty, let expression = tables.regexes[slot]?.expression else { return nil }
            let range = NSRange(value.startIndex..., in: value)
            if expression.firstMatch(in: value, range: range) != nil { return nil }
            return fail(ref, "'\(value)' does not match the pattern \(expression.pattern)")
        case .allowed(let ref, let slot):
            guard let value = text(ref, record), !value.isEmpty else { return nil }
            let (lowered, values) = tables.allowed[slot]
            // Most values are written as listed: try them before lower-casing (an allocation).
            if lowered.contains(value) || lowered.contains(value.lowercased()) { return nil }
            return fail(ref, "'\(value)' is not one of \(values.joined(separator: ", "))")
        case .range(let ref, let slot):
            guard let value = typed(ref, record) else { return nil }
            let (low, high) = tables.ranges[slot]
            if let low, let comparison = compare(value, low, environment), comparison < 0 {
                return fail(ref, "\(value) is below the minimum \(resolve(low, environment))")
            }
            if let high, let comparison = compare(value, high, environment), comparison > 0 {
                return fail(ref, "\(value) is above the maximum \(resolve(high, environment))")
            }
            return nil
        case .length(let ref, let low, let high):
            guard let value = raw(ref, record), !value.isEmpty else { return nil }
            let count = value.count
            if let low, count < low { return fail(ref, "'\(value)' has \(count) characters, fewer than \(low)") }
            if let high, count > high { return fail(ref, "'\(value)' has \(count) characters, more than \(high)") }
            return nil
        case .unique(let ref):
            guard let value = raw(ref, record), !value.isEmpty else { return nil }
            if case .sourceKey = ref, let claimedAt = ledger.sourceKeyClaimedAt {
                guard claimedAt > 0 else { return nil }
                return fail(ref, "duplicate \(name(ref)) '\(value)': already on line \(claimedAt) of this batch")
            }
            // One lookup for the common case (a new value); a duplicate puts the first line back.
            let expected = ledger.expectedValues
            if let firstLine = ledger.claimed[position, default: Dictionary(minimumCapacity: expected)].updateValue(line, forKey: value) {
                ledger.claimed[position, default: [:]][value] = firstLine
                return fail(ref, "duplicate \(name(ref)) '\(value)': already on line \(firstLine) of this batch")
            }
            return nil
        case .compare(let left, let op, let right):
            guard let lhs = typed(left, record), let rhs = typed(right, record) else { return nil }
            let holds: Bool
            // Text first: parsing a timestamp's text as a number only to discard it is slow.
            if !isText(lhs), let a = lhs.number, let b = rhs.number {
                holds = op.holds(a, b)
            } else {
                holds = op.holds(lhs.description, rhs.description)
            }
            if holds { return nil }
            // The failure is the left field's: the right field's value is not quoted (it may be personal where the
            // left is not; attack 11, F4).
            return fail(left, "\(name(left)) \(lhs) is not \(op.rawValue) \(name(right))")
        case .reference(let ref, let slot):
            guard let value = text(ref, record), !value.isEmpty else { return nil }
            let target = tables.references[slot]
            if environment.isKnown(value, in: target) { return nil }
            return fail(ref, "\(name(ref)) '\(value)' is not a known record of \(target)")
        }
    }

    /// Values longer than their field's limit and keys with invisible characters (``BuiltInRule/tooLong``,
    /// ``BuiltInRule/invisibleKey``). A byte count per value: nothing is scanned unless the key is not
    /// plain ASCII.
    private func checkReadable(_ record: StandardizedRecord, _ failures: inout [RuleFailure]) {
        let key = record.sourceKey
        if key.utf8.count > FieldLimits.sourceKey {
            failures.append(RuleFailure(
                rule: BuiltInRule.tooLong, field: RuleFieldName.sourceKey, value: FieldLimits.excerpt(key),
                message: "the key is \(Self.grouped(key.utf8.count)) bytes long; the limit for a key is \(FieldLimits.sourceKey) bytes",
                severity: .error))
        } else if let invisible = TextNormalization.firstInvisible(in: key) {
            let shown = TextNormalization.revealingInvisible(key)
            let what = invisible.scalar.properties.name ?? "a control character"
            failures.append(RuleFailure(
                rule: BuiltInRule.invisibleKey, field: RuleFieldName.sourceKey, value: key,
                message: "the key '\(shown)' holds an invisible character, \(what) (character \(invisible.position)); "
                    + "a key must be visible text, or it is a record apart from the key it looks like",
                severity: .error))
        }
        for index in limits.indices {
            let length = record.raw[index]?.utf8.count ?? 0
            guard length > limits[index] else { continue }
            // Only a failing row reads the entity's fields: building that array for every row costs.
            let fields = source.entity.fields
            failures.append(RuleFailure(
                rule: BuiltInRule.tooLong, field: fields[index].name, value: record.raw[index].map(FieldLimits.excerpt),
                message: "\(fields[index].name) is \(Self.grouped(length)) bytes long; the limit for "
                    + "\(FieldLimits.describe(fields[index].kind)) is \(Self.grouped(limits[index])) bytes",
                severity: .error))
        }
    }

    /// 52428800 as "52,428,800".
    static func grouped(_ number: Int) -> String {
        var digits = String(number)
        var index = digits.count - 3
        while index > 0 {
            digits.insert(",", at: digits.index(digits.startIndex, offsetBy: index))
            index -= 3
        }
        return digits
    }

    private func name(_ ref: FieldRef) -> String {
        switch ref {
        case .sourceKey: return RuleFieldName.sourceKey
        case .field(let index): return source.entity.fields[index].name
        }
    }

    private func raw(_ ref: FieldRef, _ record: StandardizedRecord) -> String? {
        switch ref {
        case .sourceKey: return record.sourceKey
        case .field(let index): return record.raw[index]
        }
    }

    private func typed(_ ref: FieldRef, _ record: StandardizedRecord) -> FieldValue? {
        switch ref {
        case .sourceKey: return .text(record.sourceKey)
        case .field(let index): return record.values[index]
        }
    }

    /// The standardised text when there is one, else the raw text.
    private func text(_ ref: FieldRef, _ record: StandardizedRecord) -> String? {
        typed(ref, record)?.description ?? raw(ref, record)
    }

    private func isText(_ value: FieldValue) -> Bool {
        if case .text = value { return true }
        return false
    }

    private func resolve(_ bound: RangeBound, _ environment: ValidationEnvironment) -> String {
        if case .today = bound { return environment.today }
        return bound.description
    }

    /// Orders a value against a bound; nil when they cannot be compared.
    private func compare(_ value: FieldValue, _ bound: RangeBound, _ environment: ValidationEnvironment) -> Int? {
        switch bound {
        case .number(let limit):
            guard let number = value.number, !isText(value) else { return nil }
            return number < limit ? -1 : (number > limit ? 1 : 0)
        case .date(let limit):
            return Self.comparePrefix(value.description, limit)
        case .today:
            return Self.comparePrefix(value.description, environment.today)
        }
    }

    /// Orders the first `bound.utf8.count` bytes of `text` against `bound`, byte by byte (ISO dates and
    /// timestamps order so), without making the prefix a String.
    static func comparePrefix(_ text: String, _ bound: String) -> Int {
        var text = text
        var bound = bound
        return text.withUTF8 { textBytes in
            bound.withUTF8 { boundBytes in
                let length = min(textBytes.count, boundBytes.count)
                for index in 0..<length where textBytes[index] != boundBytes[index] {
                    return textBytes[index] < boundBytes[index] ? -1 : 1
                }
                return textBytes.count < boundBytes.count ? -1 : 0
            }
        }
    }
}

private enum FieldRef: Sendable, Equatable {
    case sourceKey
    case field(Int)
}

/// NSRegularExpression is immutable and thread-safe but not marked Sendable.
private struct RegexBox: @unchecked Sendable {
    let expression: NSRegularExpression
}

/// A rule resolved to field positions; `slot` indexes the rule's entry in ``RuleTables``.
private enum CompiledRule: Sendable {
    case required(slot: Int)
    case standardized(FieldRef, slot: Int)
    case regex(FieldRef, slot: Int)
    case allowed(FieldRef, slot: Int)
    case range(FieldRef, slot: Int)
    case length(FieldRef, Int?, Int?)
    case unique(FieldRef)
    case compare(FieldRef, ComparisonOperator, FieldRef)
    case reference(FieldRef, slot: Int)
}

private struct RuleTables: Sendable {
    /// Each field of a `required` rule, and whether a value standardisation dropped counts as missing.
    var requiredFields: [[(ref: FieldRef, countsEmptied: Bool)]] = []
    /// Per `required` rule (same slot), the fields of which at least one must be present (`any_of`).
    var requiredAny: [[FieldRef]] = []
    var formatNames: [String] = []
    var regexes: [RegexBox?] = []
    var allowed: [(lowered: AllowedValues, values: [String])] = []
    var ranges: [(low: RangeBound?, high: RangeBound?)] = []
    var references: [SourceName] = []
}

/// The lower-cased values an `allowed` rule accepts. A short list is scanned (a few comparisons of short
/// strings cost less than hashing the value once, on every row); a long one is hashed.
private struct AllowedValues: Sendable {
    private let list: [String]
    /// Filled only for a long list.
    private let set: Set<String>
    private let hashes: Bool

    init(_ values: [String]) {
        list = values
        hashes = values.count > 16
        set = hashes ? Set(values) : []
    }

    func contains(_ value: String) -> Bool {
        hashes ? set.contains(value) : list.contains(value)
    }
}
