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
        var digits: [UInt8] = []
        digits.reserveCapacity(24)
        var plus = false
        var previousWasC2 = false
        var iterator = raw.utf8.makeIterator()
        var lookahead: [UInt8] = []
        scan: while true {
            let next: UInt8
            if !lookahead.isEmpty {
                next = lookahead.removeFirst()
            } else if let b = iterator.next() {
                next = b
            } else {
                break
            }
            if previousWasC2 {
                previousWasC2 = false
                if next == 0xA0 { continue }  // no-break space
                return reject("'\(shown(raw))' has a character that is not part of a phone number")
            }
            switch next {
            case 0x30...0x39:
                digits.append(next)
            case UInt8(ascii: "+"):
                if plus || !digits.isEmpty { return reject("'\(shown(raw))' has a '+' that is not at the start") }
                plus = true
            case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: ")"), 0x09:
                continue
            case UInt8(ascii: "("):
                // "+49 (0)30 …": the trunk zero written in brackets is not dialled from abroad.
                guard let a = iterator.next() else { break scan }
                if a == UInt8(ascii: "0"), let b = iterator.next() {
                    if b == UInt8(ascii: ")") && (plus || digits.starts(with: [0x30, 0x30])) {
                        continue
                    }
                    lookahead = [a, b]
                } else {
                    lookahead = [a]
                }
            case UInt8(ascii: "x"), UInt8(ascii: "X"), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "#"):
                if digits.isEmpty { return reject("'\(shown(raw))' has no phone number before the extension") }
                break scan  // an extension: dropped
            case 0xC2:
                previousWasC2 = true
            default:
                if next >= 0x80 || (next | 0x20) >= 0x61 && (next | 0x20) <= 0x7A {
                    return reject("'\(shown(raw))' has letters or symbols that are not part of a phone number")
                }
                return reject("'\(shown(raw))' has a character that is not part of a phone number: '\(Character(Unicode.Scalar(next)))'")
            }
        }
        if digits.isEmpty {
            return reject(raw.utf8.isEmpty ? "phone number is empty" : "'\(shown(raw))' has no digits")
        }

        var international = plus
        var start = 0
        if !plus && digits.count > 2 && digits[0] == 0x30 && digits[1] == 0x30 {
            international = true
            start = 2
        } else if !plus, let country = defaultCountry, country.alpha2 == "US" || country.alpha2 == "CA",
            digits.starts(with: Array("011".utf8))
        {
            international = true
            start = 3
        }

        let plan: PhoneNumberingPlan
        var nsnStart: Int
        if international {
            var found: PhoneNumberingPlan?
            var length = 1
            while length <= 3 && start + length <= digits.count {
                let code = String(decoding: digits[start..<(start + length)], as: UTF8.self)
                if let match = PhoneNumberingPlans.byCallingCode[code] {
                    found = match
                    break
                }
                length += 1
            }
            guard let found else {
                let prefix = String(decoding: digits[start..<min(digits.count, start + 3)], as: UTF8.self)
                return reject("'\(shown(raw))' has a country calling code (+\(prefix)…) that is not in the supported list")
            }
            plan = found
            nsnStart = start + length
            // "+44 (0)20…" written without brackets: "+44 020…".
            if plan.trunkPrefix == "0" && nsnStart < digits.count && digits[nsnStart] == 0x30
                && digits.count - nsnStart - 1 >= plan.minLength
            {
                nsnStart += 1
            }
        } else {
            guard let country = defaultCountry else {
                return reject("'\(shown(raw))' has no country calling code and no default country was given")
            }
            guard let countryPlan = PhoneNumberingPlans.byCountry[country.alpha2] else {
                return reject("'\(shown(raw))' has no country calling code and there is no numbering plan for \(country.alpha2)")
            }
            plan = countryPlan
            nsnStart = 0
            let trunk = Array(plan.trunkPrefix.utf8)
            if !trunk.isEmpty && digits.starts(with: trunk) && digits.count - trunk.count >= plan.minLength {
                nsnStart = trunk.count
            }
        }

        let length = digits.count - nsnStart
        let expected = plan.minLength == plan.maxLength ? "\(plan.minLength)" : "\(plan.minLength)–\(plan.maxLength)"
        if length < plan.minLength {
            return reject("'\(shown(raw))' is too short for +\(plan.callingCode): \(length) digits, expected \(expected)")
        }
        if length > plan.maxLength {
            return reject("'\(shown(raw))' is too long for +\(plan.callingCode): \(length) digits, expected \(expected)")
        }
        if plan.callingCode == "1" && (digits[nsnStart] == 0x30 || digits[nsnStart] == 0x31) {
            return reject("'\(shown(raw))' has an area code starting with \(digits[nsnStart] - 0x30); North American area codes start with 2–9")
        }
        let nsn = String(decoding: digits[nsnStart...], as: UTF8.self)
        return .standardized(PhoneNumber(callingCode: Int(plan.callingCode) ?? 0, nationalSignificantNumber: nsn))
    }

    private static func shown(_ raw: String) -> String {
        TextNormalization.collapseWhitespace(raw)
    }
}
