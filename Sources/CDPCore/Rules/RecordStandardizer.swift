/// Turns a source row's raw values (already mapped onto canonical fields) into standardised values:
/// trimmed text, lower-cased emails, E.164 phones, ISO countries and ISO 8601 dates.
public struct RecordStandardizer: Sendable {
    public let entity: CanonicalEntity
    private let kinds: [FieldKind]
    /// By field index: the longest value standardised (``FieldLimits``); a longer one is left for the
    /// validator to hold under `parse.too_long`, not read.
    private let limits: [Int]
    private let dateFormats: [DateFormat?]
    private let defaultCountry: CountryCode?
    private let countryIndex: Int?
    private let fullNameIndex: Int?
    private let firstNameIndex: Int?
    private let lastNameIndex: Int?
    /// The source's extra attributes, sorted: their raw values follow the canonical fields in a row.
    private let attributeNames: [String]

    public init(source: SourceConfiguration, defaultCountry: String) {
        entity = source.entity
        let fields = source.entity.fields
        kinds = fields.map(\.kind)
        limits = kinds.map(FieldLimits.maximumBytes)
        dateFormats = fields.map { field in source.dateFormats[field.name].flatMap { DateFormat(pattern: $0) } }
        self.defaultCountry = CountryCode.standardize(defaultCountry).value
        countryIndex = source.entity.fieldIndex("country")
        let mapped = Set(source.mapping.keys)
        func index(_ name: String) -> Int? { mapped.contains(name) ? source.entity.fieldIndex(name) : nil }
        fullNameIndex = index("full_name")
        firstNameIndex = source.entity.fieldIndex("first_name")
        lastNameIndex = source.entity.fieldIndex("last_name")
        attributeNames = source.attributeNames
    }

    /// Standardises every field. `raw` is indexed like the entity's fields.
    public func standardize(sourceKey: String, raw: [String?]) -> StandardizedRecord {
        var values = [FieldValue?](repeating: nil, count: kinds.count)
        var failures: [String?] = []
        func fail(_ index: Int, _ reason: String) {
            if failures.isEmpty { failures = Array(repeating: nil, count: kinds.count) }
            failures[index] = reason
        }
        // The record's own country decides how national phone numbers read; standardise it first.
        var recordCountry = defaultCountry
        if let countryIndex, let rawCountry = raw[countryIndex], rawCountry.utf8.count <= limits[countryIndex],
            let text = TextNormalization.clean(rawCountry)
        {
            switch CountryCode.standardize(text) {
            case .standardized(let code):
                values[countryIndex] = .text(code.alpha2)
                recordCountry = code
            case .rejected(let failure):
                fail(countryIndex, failure.reason)
            }
        }
        for index in kinds.indices where index != countryIndex {
            guard let rawValue = raw[index], rawValue.utf8.count <= limits[index], let text = TextNormalization.clean(rawValue) else { continue }
            switch standardize(text, kind: kinds[index], format: dateFormats[index], country: recordCountry) {
            case .success(let value): values[index] = value
            case .failure(let reason): fail(index, reason.message)
            }
        }
        splitFullName(&values)
        if !attributeNames.isEmpty { values.append(attributesValue(raw)) }
        return StandardizedRecord(sourceKey: sourceKey, raw: raw, values: values, failures: failures)
    }

    /// The extra attributes as one JSON object of trimmed text, members sorted by name, the empty ones left
    /// out (`silver_customer.attributes`); nil when every one is empty. A value longer than a text field may
    /// be is left out too, as an over-long canonical value is.
    private func attributesValue(_ raw: [String?]) -> FieldValue? {
        var json: [UInt8] = []
        for (offset, name) in attributeNames.enumerated() {
            let index = kinds.count + offset
            guard index < raw.count, let rawValue = raw[index], rawValue.utf8.count <= FieldLimits.maximumBytes(.text),
                let text = TextNormalization.clean(rawValue)
            else { continue }
            json.append(json.isEmpty ? UInt8(ascii: "{") : UInt8(ascii: ","))
            var member = name, value = text
            member.withUTF8 { JSONString.appendQuoted($0, to: &json) }
            json.append(UInt8(ascii: ":"))
            value.withUTF8 { JSONString.appendQuoted($0, to: &json) }
        }
        guard !json.isEmpty else { return nil }
        json.append(UInt8(ascii: "}"))
        return .text(String(decoding: json, as: UTF8.self))
    }

    /// Fills first and last name from a full name when the source has only the full name.
    private func splitFullName(_ values: inout [FieldValue?]) {
        guard let fullNameIndex, let firstNameIndex, let lastNameIndex,
            case .text(let full)? = values[fullNameIndex], values[firstNameIndex] == nil, values[lastNameIndex] == nil
        else { return }
        guard case .standardized(let parts) = PersonName.split(full) else { return }
        values[firstNameIndex] = parts.given.map(FieldValue.text)
        values[lastNameIndex] = parts.family.map(FieldValue.text)
    }

    /// y/yes/true/t/1 or n/no/false/f/0, in any case; nil for anything else. Compared byte by byte: two
    /// flags a customer row, and lower-casing each into a new string cost more than the rest of the check.
    static func boolean(_ text: String) -> Bool? {
        var text = text
        return text.withUTF8 { bytes -> Bool? in
            func matches(_ word: StaticString) -> Bool {
                guard bytes.count == word.utf8CodeUnitCount else { return false }
                let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
                return zip(bytes, expected).allSatisfy { $0 | 0x20 == $1 }
            }
            if matches("y") || matches("yes") || matches("true") || matches("t") || bytes.elementsEqual([0x31]) { return true }
            if matches("n") || matches("no") || matches("false") || matches("f") || bytes.elementsEqual([0x30]) { return false }
            return nil
        }
    }

    private struct Reason: Error {
        let message: String
    }

    private func standardize(_ text: String, kind: FieldKind, format: DateFormat?, country: CountryCode?) -> Result<FieldValue, Reason> {
        func outcome<V>(_ result: StandardizationOutcome<V>, _ transform: (V) -> String) -> Result<FieldValue, Reason> {
            switch result {
            case .standardized(let value): return .success(.text(transform(value)))
            case .rejected(let failure): return .failure(Reason(message: failure.reason))
            }
        }
        switch kind {
        case .text: return .success(.text(text))
        // Text already in its stored case is kept: changing the case builds a new string.
        case .code: return .success(.text(TextNormalization.isASCII(text, without: TextNormalization.capitals) ? text : text.lowercased()))
        case .personName: return outcome(PersonName.standardize(text)) { $0 }
        case .postcode:
            return .success(.text(TextNormalization.isASCII(text, without: TextNormalization.smallLetters) ? text : text.uppercased()))
        case .email: return outcome(EmailAddress.standardize(text)) { $0.value }
        case .phone: return outcome(PhoneNumber.standardize(text, defaultCountry: country)) { $0.e164 }
        case .country: return outcome(CountryCode.standardize(text)) { $0.alpha2 }
        case .date:
            if let format { return outcome(DateParsing.parseDate(text, format: format)) { $0.isoText } }
            return outcome(DateParsing.parseDate(text)) { $0.isoText }
        case .timestamp:
            // Most sources write timestamps as we store them: keep the text rather than print a new one.
            return outcome(DateParsing.parseTimestamp(text)) { Timestamp.hasISOShape(text) ? text : $0.isoText }
        case .decimal:
            switch DecimalNumber.standardize(text) {
            case .standardized(let number): return .success(.decimal(number))
            case .rejected(let failure): return .failure(Reason(message: failure.reason))
            }
        case .integer:
            guard let number = Int64(text) else { return .failure(Reason(message: "'\(text)' is not a whole number")) }
            return .success(.integer(number))
        case .boolean:
            guard let flag = Self.boolean(text) else { return .failure(Reason(message: "'\(text)' is not yes/no")) }
            return .success(.boolean(flag))
        }
    }
}
