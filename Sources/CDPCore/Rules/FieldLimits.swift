/// How long a value may be when it is read, in bytes of UTF-8. A longer value holds its row in quarantine
/// under `parse.too_long` (``BuiltInRule/tooLong``) and is neither standardised nor matched: one value of
/// megabytes in silver once kept a match run busy for minutes. The limits are far above any real value of
/// the kind, so a clean row never meets them; counting bytes, not characters, costs nothing per row.
public enum FieldLimits {
    /// The longest source key (a record's primary key), in bytes.
    public static let sourceKey = 256

    /// The longest value of a field of `kind`, in bytes.
    public static func maximumBytes(_ kind: FieldKind) -> Int {
        switch kind {
        case .personName: return 256
        // RFC 5321 allows 254 characters in an address; a few more for spaces trimmed later.
        case .email: return 320
        case .phone, .country, .code, .date, .timestamp, .decimal, .integer: return 64
        case .postcode: return 32
        case .boolean: return 16
        // Streets, cities, campaign names and ids.
        case .text: return 1_024
        }
    }

    /// A description of a field's kind for messages ("a person name").
    static func describe(_ kind: FieldKind) -> String {
        switch kind {
        case .personName: return "a person name"
        case .email: return "an email address"
        case .phone: return "a phone number"
        case .country: return "a country"
        case .code: return "a code"
        case .date: return "a date"
        case .timestamp: return "a timestamp"
        case .decimal: return "a decimal number"
        case .integer: return "a whole number"
        case .postcode: return "a postcode"
        case .boolean: return "a yes/no flag"
        case .text: return "a text field"
        }
    }

    /// At most the first 40 Unicode scalars of a value too long to repeat whole in a failure (scalars, not
    /// characters: one character of a hostile value can be megabytes of combining marks).
    public static func excerpt(_ value: String) -> String {
        var prefix = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            if prefix.count == 40 { return String(prefix) + "…" }
            prefix.append(scalar)
        }
        return String(prefix)
    }
}
