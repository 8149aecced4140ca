import CDPCore

/// Mistakes real records carry that typing slips in names do not cover: first and last name entered the
/// wrong way round, a birth date a year off or with one digit mistyped, a phone number with one digit
/// wrong. Each is drawn from its own stream, so adding them left every other draw as it was.
struct RecordCorruption {
    var namesSwapped = false
    /// The birth date to write instead of the person's, when one was drawn.
    var birth: CivilDate?
    var phoneTypo = false

    /// Shares among re-registrations and marketing contacts.
    static let namesSwappedRate = 0.03
    static let yearOffRate = 0.02
    static let birthDigitRate = 0.02
    static let phoneTypoRate = 0.04

    init(birth: CivilDate, random: inout SplitMix64) {
        namesSwapped = random.chance(Self.namesSwappedRate)
        switch random.weightedIndex([Self.yearOffRate, Self.birthDigitRate, 1 - Self.yearOffRate - Self.birthDigitRate]) {
        case 0: self.birth = Self.yearOff(birth, random: &random)
        case 1: self.birth = Self.digitTypo(birth, random: &random)
        default: break
        }
        phoneTypo = random.chance(Self.phoneTypoRate)
    }

    /// The same day a year earlier or later (28 February for a 29th that does not exist then).
    static func yearOff(_ date: CivilDate, random: inout SplitMix64) -> CivilDate {
        let year = date.year + (random.chance(0.5) ? 1 : -1)
        let day = date.month == 2 && date.day == 29 && !(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 28 : date.day
        return CivilDate(year: year, month: date.month, day: day)
    }

    /// One digit of `yyyy-MM-dd` (not the century) changed so that the result is still a real date; the date
    /// a year off when no such digit was found in a few tries.
    static func digitTypo(_ date: CivilDate, random: inout SplitMix64) -> CivilDate {
        for _ in 0..<8 {
            var digits = [date.year / 10 % 10, date.year % 10, date.month / 10, date.month % 10, date.day / 10, date.day % 10]
            let position = random.below(digits.count)
            let replacement = (digits[position] + 1 + random.below(9)) % 10
            digits[position] = replacement
            let year = date.year / 100 * 100 + digits[0] * 10 + digits[1]
            let month = digits[2] * 10 + digits[3]
            let day = digits[4] * 10 + digits[5]
            guard (1...12).contains(month), day >= 1, day <= Self.days(inMonth: month, year: year) else { continue }
            return CivilDate(year: year, month: month, day: day)
        }
        return yearOff(date, random: &random)
    }

    static func days(inMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The number with one of its digits after the third changed (the country and area code stay).
    static func mistyped(phone: String, random: inout SplitMix64) -> String {
        var bytes = Array(phone.utf8)
        let positions = bytes.indices.filter { bytes[$0] >= UInt8(ascii: "0") && bytes[$0] <= UInt8(ascii: "9") }.dropFirst(3)
        guard !positions.isEmpty else { return phone }
        let position = positions[positions.startIndex + random.below(positions.count)]
        let digit = Int(bytes[position] - UInt8(ascii: "0"))
        bytes[position] = UInt8(ascii: "0") + UInt8((digit + 1 + random.below(9)) % 10)
        return String(decoding: bytes, as: UTF8.self)
    }
}
