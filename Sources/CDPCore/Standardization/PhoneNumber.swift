/// A telephone number in E.164 form: a country calling code and a national significant number.
public struct PhoneNumber: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The ITU country calling code, e.g. 44.
    public let callingCode: Int
    /// The digits after the calling code, without trunk prefix ("7700900123").
    public let nationalSignificantNumber: String

    public init(callingCode: Int, nationalSignificantNumber: String) {
        self.callingCode = callingCode
        self.nationalSignificantNumber = nationalSignificantNumber
    }

    /// "+447700900123".
    public var e164: String { "+\(callingCode)\(nationalSignificantNumber)" }

    public var description: String { e164 }

    /// The last `count` digits of the national significant number (all of them if it is shorter);
    /// a blocking key that survives differences in country code and trunk prefix.
    public func lastDigits(_ count: Int) -> String {
        String(nationalSignificantNumber.suffix(max(0, count)))
    }

    public static func < (lhs: PhoneNumber, rhs: PhoneNumber) -> Bool { lhs.e164 < rhs.e164 }

    /// Reads a phone number as people write it and returns its E.164 form.
    ///
    /// Accepts "+44 7700 900123", "0044 7700 900123", "(415) 555-0134", "415.555.0134",
    /// "+49 (0)30 1234567" (the "(0)" is dropped) and national numbers such as "020 7946 0123"
    /// read with `defaultCountry`. Extensions ("x123", "ext. 12", "#12") are dropped. The national
    /// number's length is checked against the country's numbering plan.
    public static func standardize(_ raw: String, defaultCountry: CountryCode?) -> StandardizationOutcome<PhoneNumber> {
        func reject(_ reason: String) -> StandardizationOutcome<PhoneNumber> {
            .rejected(StandardizationFailure(kind: .phone, input: raw, reason: reason))
        }
        var text = raw
        var digits: [UInt8] = []
        digits.reserveCapacity(24)
        var plus = false
        let scanProblem: ScanProblem? = text.withUTF8 { bytes in
            let n = bytes.count
            var i = 0
            while i < n {
                let b = bytes[i]
                i += 1
                switch b {
                case 0x30...0x39:
                    digits.append(b)
                case UInt8(ascii: "+"):
                    if plus || !digits.isEmpty { return .misplacedPlus }
                    plus = true
                case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: ")"), 0x09:
                    continue
                case UInt8(ascii: "("):
                    // "+49 (0)30 …": the trunk zero written in brackets is not dialled from abroad.
                    if i + 1 < n && bytes[i] == UInt8(ascii: "0") && bytes[i + 1] == UInt8(ascii: ")")
                        && (plus || (digits.count >= 2 && digits[0] == 0x30 && digits[1] == 0x30))
                    {
                        i += 2
                    }
                case UInt8(ascii: "x"), UInt8(ascii: "X"), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "#"):
                    if digits.isEmpty { return .extensionOnly }
                    return nil  // an extension: dropped
                case 0xC2 where i < n && bytes[i] == 0xA0:
                    i += 1  // no-break space
                default:
                    if b >= 0x80 || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A) { return .letters }
                    return .character(b)
                }
            }
            return nil
        }
        switch scanProblem {
        case .misplacedPlus: return reject("'\(shown(raw))' has a '+' that is not at the start")
        case .extensionOnly: return reject("'\(shown(raw))' has no phone number before the extension")
        case .letters: return reject("'\(shown(raw))' has letters or symbols that are not part of a phone number")
        case .character(let b):
            return reject("'\(shown(raw))' has a character that is not part of a phone number: '\(Character(Unicode.Scalar(b)))'")
        case nil: break
        }
        if digits.isEmpty {
            return reject(raw.utf8.isEmpty ? "phone number is empty" : "'\(shown(raw))' has no digits")
        }

        var international = plus
        var start = 0
        if !plus && digits.count > 2 && digits[0] == 0x30 && digits[1] == 0x30 {
            international = true
            start = 2
        } else if !plus, let country = defaultCountry, digits.count > 3, digits[0] == 0x30, digits[1] == 0x31, digits[2] == 0x31,
            country == .us || country.alpha2 == "CA"
        {
            international = true
            start = 3
        }

        let planIndex: Int
        var nsnStart: Int
        if international {
            var found = -1
            var code = 0
            var length = 1
            while length <= 3 && start + length <= digits.count {
                code = code * 10 + Int(digits[start + length - 1] - 0x30)
                let index = Int(PhoneNumberingPlans.planIndexByCallingCode[code])
                if index >= 0 {
                    found = index
                    break
                }
                length += 1
            }
            guard found >= 0 else {
                let prefix = String(decoding: digits[start..<min(digits.count, start + 3)], as: UTF8.self)
                return reject("'\(shown(raw))' has a country calling code (+\(prefix)…) that is not in the supported list")
            }
            planIndex = found
            nsnStart = start + length
            // "+44 (0)20…" written without brackets: "+44 020…".
            let plan = PhoneNumberingPlans.rules[planIndex]
            if plan.trunkIsZero && nsnStart < digits.count && digits[nsnStart] == 0x30
                && digits.count - nsnStart - 1 >= plan.minLength
            {
                nsnStart += 1
            }
        } else {
            guard let country = defaultCountry else {
                return reject("'\(shown(raw))' has no country calling code and no default country was given")
            }
            guard let index = PhoneNumberingPlans.indexByCountry[country.alpha2] else {
                return reject("'\(shown(raw))' has no country calling code and there is no numbering plan for \(country.alpha2)")
            }
            planIndex = index
            nsnStart = 0
            let trunk = PhoneNumberingPlans.trunkDigits[index]
            if !trunk.isEmpty && digits.starts(with: trunk)
                && digits.count - trunk.count >= PhoneNumberingPlans.rules[index].minLength
            {
                nsnStart = trunk.count
            }
        }

        let plan = PhoneNumberingPlans.rules[planIndex]
        let length = digits.count - nsnStart
        if length < plan.minLength || length > plan.maxLength {
            let expected = plan.minLength == plan.maxLength ? "\(plan.minLength)" : "\(plan.minLength)–\(plan.maxLength)"
            let verdict = length < plan.minLength ? "too short" : "too long"
            return reject("'\(shown(raw))' is \(verdict) for +\(plan.callingCode): \(length) digits, expected \(expected)")
        }
        if plan.callingCode == 1 && (digits[nsnStart] == 0x30 || digits[nsnStart] == 0x31) {
            return reject("'\(shown(raw))' has an area code starting with \(digits[nsnStart] - 0x30); North American area codes start with 2–9")
        }
        let nsn = String(decoding: digits[nsnStart...], as: UTF8.self)
        return .standardized(PhoneNumber(callingCode: plan.callingCode, nationalSignificantNumber: nsn))
    }

    private enum ScanProblem {
        case misplacedPlus, extensionOnly, letters
        case character(UInt8)
    }

    private static func shown(_ raw: String) -> String {
        TextNormalization.collapseWhitespace(raw)
    }
}
