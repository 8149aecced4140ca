import Foundation

/// The kinds of personal data masking knows how to hide while keeping a value recognisable.
public enum PIIKind: String, CaseIterable, Codable, Sendable, Hashable {
    case email = "PII.Email"
    case phone = "PII.Phone"
    case name = "PII.Name"
    case birthDate = "PII.BirthDate"
    case address = "PII.Address"
    /// Any other `PII.*` tag.
    case other = "PII"

    /// The kind a dictionary tag stands for; `nil` when the tag is not personal data.
    public init?(tag: String) {
        guard tag == "PII" || tag.hasPrefix("PII.") else { return nil }
        self = PIIKind(rawValue: tag) ?? .other
    }
}

/// Masks personal values for a principal without the `view_pii` permission, column by column, so every
/// output path (console, CLI, export, query) shows the same `j***@e******.com`.
///
/// Which columns are personal comes from the data dictionary's `PII.*` tags: a masker is built from a
/// column-name → kind table (silver and gold column names and the source fields that feed them).
public struct PIIMasker: Sendable {
    /// Column name → kind, for the columns to mask. Empty when the principal may view PII.
    public let columns: [String: PIIKind]

    public init(columns: [String: PIIKind]) { self.columns = columns }

    /// Masks nothing (a principal with `view_pii`).
    public static let none = PIIMasker(columns: [:])

    public var isActive: Bool { !columns.isEmpty }

    /// The kind of a column, matched without regard to case.
    public func kind(ofColumn column: String) -> PIIKind? {
        guard isActive else { return nil }
        if let kind = columns[column] ?? columns[column.lowercased()] { return kind }
        // A held record keeps an extra attribute as the field `attributes.<name>` (its fields, failures, fixes and
        // their audit rows): it is as personal as the attribute is.
        if column.lowercased().hasPrefix(MatchField.attributePrefix) {
            return kind(ofColumn: String(column.dropFirst(MatchField.attributePrefix.count)))
        }
        return nil
    }

    /// A column's value as this principal may see it.
    public func value(_ value: String, column: String) -> String {
        guard let kind = kind(ofColumn: column) else { return value }
        return Self.mask(value, as: kind)
    }

    /// Masks every personal field of a record (field name → value).
    public func fields(_ fields: [String: String]) -> [String: String] {
        guard isActive else { return fields }
        var masked = fields
        for (name, value) in fields { masked[name] = self.value(value, column: name) }
        return masked
    }

    /// Masks one value as a kind of personal data. Empty stays empty; the shape stays recognisable.
    public static func mask(_ value: String, as kind: PIIKind) -> String {
        let text = value.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return value }
        switch kind {
        case .email: return maskEmail(text)
        case .phone: return maskPhone(text)
        case .name: return keepFirst(text, wordwise: true)
        case .birthDate: return String(text.map { $0.isNumber ? "*" : $0 })
        case .address, .other: return keepFirst(text, wordwise: false)
        }
    }

    /// `jane.doe@example.com` → `j***@e******.com`: the first letter of the mailbox and of the domain,
    /// the domain's length, and the top-level domain.
    static func maskEmail(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@") else { return keepFirst(text, wordwise: false) }
        let local = text[..<at]
        let domain = text[text.index(after: at)...]
        let maskedLocal = (local.first.map(String.init) ?? "") + "***"
        guard let dot = domain.lastIndex(of: ".") else {
            return maskedLocal + "@" + starsAfterFirst(domain)
        }
        return maskedLocal + "@" + starsAfterFirst(domain[..<dot]) + domain[dot...]
    }

    /// `+441632960123` → `+44 *** *** 123`: the calling code and the last three digits. A number masked already
    /// (`*** *** 123`, `+44 *** *** 123`, `****`) stays as it is, as every other kind's mask does: the team store's
    /// masked views hand the engine masked values, and masking them again must not take away what the mask shows.
    static func maskPhone(_ text: String) -> String {
        if text.allSatisfy({ $0 == "*" }) || text.wholeMatch(of: #/(\+[0-9]{1,3} )?\*\*\* \*\*\* [0-9]{3}/#) != nil { return text }
        let digits = text.filter(\.isNumber)
        guard digits.count > 5 else { return String(repeating: "*", count: digits.count) }
        let last = digits.suffix(3)
        guard text.hasPrefix("+") else { return "*** *** \(last)" }
        let code = digits.prefix(callingCodeLength(digits))
        return "+\(code) *** *** \(last)"
    }

    /// The calling codes a masked phone number keeps (`+44 *** *** 123`), for maskers outside Swift (the team
    /// store's SQL masks), sorted.
    public static var callingCodes: [String] { PhoneNumberingPlans.callingCodes.sorted() }

    /// The length of the calling code at the start of an international number's digits.
    static func callingCodeLength(_ digits: String) -> Int {
        for length in 1...3 where PhoneNumberingPlans.callingCodes.contains(String(digits.prefix(length))) {
            return length
        }
        return 2
    }

    /// `Jane Doe` → `J*** D***` (wordwise) or `10 Downing St` → `1* D****** S*`.
    static func keepFirst(_ text: String, wordwise: Bool) -> String {
        if wordwise {
            return text.split(separator: " ", omittingEmptySubsequences: false)
                .map { $0.isEmpty ? "" : String($0.prefix(1)) + "***" }.joined(separator: " ")
        }
        return text.split(separator: " ", omittingEmptySubsequences: false).map(starsAfterFirst).joined(separator: " ")
    }

    static func starsAfterFirst(_ word: Substring) -> String {
        guard let first = word.first else { return "" }
        return String(first) + String(repeating: "*", count: word.count - 1)
    }
}

extension PIIMasker {
    /// The canonical person fields and the kind of personal data each holds: what the data dictionary
    /// seeds its tags from, and the masking of a lake whose dictionary names no `PII.*` tag yet.
    public static let canonicalPersonalFields: [String: PIIKind] = [
        "first_name": .name, "last_name": .name, "full_name": .name, "email": .email, "phone": .phone,
        "birth_date": .birthDate, "street": .address, "postcode": .address,
    ]

    /// Columns to mask for a workspace's sources when no dictionary says otherwise: the canonical
    /// personal fields, every source column mapped onto one, and every extra attribute (by name and column).
    public static func defaultColumns(for sources: [SourceConfiguration]) -> [String: PIIKind] {
        var columns = canonicalPersonalFields
        for source in sources {
            for (field, column) in source.mapping {
                if let kind = canonicalPersonalFields[field] { columns[column] = kind }
            }
            // An extra attribute is personal unless the dictionary says otherwise: by its name (a member of
            // silver_customer.attributes) and by its source column.
            for (name, column) in source.attributes {
                if columns[name] == nil { columns[name] = .other }
                if columns[column] == nil { columns[column] = .other }
            }
        }
        return columns
    }
}
