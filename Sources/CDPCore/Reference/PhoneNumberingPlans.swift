/// Numbering facts for common countries: ITU calling code, the national trunk prefix dialled
/// before a national number (if any), and the valid length range of the national significant
/// number (the digits after the calling code).
struct PhoneNumberingPlan: Sendable, Hashable {
    let country: String
    let callingCode: String
    let trunkPrefix: String
    let minLength: Int
    let maxLength: Int

    var callingCodeValue: Int { Int(callingCode) ?? 0 }
}

/// The numeric facts of a plan, for the hot path (no strings to retain or compare).
struct PhoneLengthRule: Sendable, Hashable {
    let callingCode: Int
    let trunkIsZero: Bool
    let minLength: Int
    let maxLength: Int
}

enum PhoneNumberingPlans {
    static let plans: [PhoneNumberingPlan] = [
        // North America (NANP): trunk prefix 1, ten-digit numbers.
        .init(country: "US", callingCode: "1", trunkPrefix: "1", minLength: 10, maxLength: 10),
        .init(country: "CA", callingCode: "1", trunkPrefix: "1", minLength: 10, maxLength: 10),
        // European Union.
        .init(country: "AT", callingCode: "43", trunkPrefix: "0", minLength: 4, maxLength: 13),
        .init(country: "BE", callingCode: "32", trunkPrefix: "0", minLength: 8, maxLength: 9),
        .init(country: "BG", callingCode: "359", trunkPrefix: "0", minLength: 7, maxLength: 9),
        .init(country: "HR", callingCode: "385", trunkPrefix: "0", minLength: 8, maxLength: 9),
        .init(country: "CY", callingCode: "357", trunkPrefix: "", minLength: 8, maxLength: 8),
        .init(country: "CZ", callingCode: "420", trunkPrefix: "", minLength: 9, maxLength: 9),
        .init(country: "DK", callingCode: "45", trunkPrefix: "", minLength: 8, maxLength: 8),
        .init(country: "EE", callingCode: "372", trunkPrefix: "", minLength: 7, maxLength: 8),
        .init(country: "FI", callingCode: "358", trunkPrefix: "0", minLength: 5, maxLength: 12),
        .init(country: "FR", callingCode: "33", trunkPrefix: "0", minLength: 9, maxLength: 9),
        .init(country: "DE", callingCode: "49", trunkPrefix: "0", minLength: 6, maxLength: 13),
        .init(country: "GR", callingCode: "30", trunkPrefix: "", minLength: 10, maxLength: 10),
        .init(country: "HU", callingCode: "36", trunkPrefix: "06", minLength: 8, maxLength: 9),
        .init(country: "IE", callingCode: "353", trunkPrefix: "0", minLength: 7, maxLength: 9),
        // Italy has no trunk prefix: the leading 0 of landlines belongs to the number.
        .init(country: "IT", callingCode: "39", trunkPrefix: "", minLength: 6, maxLength: 11),
        .init(country: "LV", callingCode: "371", trunkPrefix: "", minLength: 8, maxLength: 8),
        .init(country: "LT", callingCode: "370", trunkPrefix: "8", minLength: 8, maxLength: 8),
        .init(country: "LU", callingCode: "352", trunkPrefix: "", minLength: 4, maxLength: 11),
        .init(country: "MT", callingCode: "356", trunkPrefix: "", minLength: 8, maxLength: 8),
        .init(country: "NL", callingCode: "31", trunkPrefix: "0", minLength: 9, maxLength: 9),
        .init(country: "PL", callingCode: "48", trunkPrefix: "", minLength: 9, maxLength: 9),
        .init(country: "PT", callingCode: "351", trunkPrefix: "", minLength: 9, maxLength: 9),
        .init(country: "RO", callingCode: "40", trunkPrefix: "0", minLength: 9, maxLength: 9),
        .init(country: "SK", callingCode: "421", trunkPrefix: "0", minLength: 9, maxLength: 9),
        .init(country: "SI", callingCode: "386", trunkPrefix: "0", minLength: 8, maxLength: 8),
        .init(country: "ES", callingCode: "34", trunkPrefix: "", minLength: 9, maxLength: 9),
        .init(country: "SE", callingCode: "46", trunkPrefix: "0", minLength: 7, maxLength: 10),
        // Rest of Europe.
        .init(country: "GB", callingCode: "44", trunkPrefix: "0", minLength: 9, maxLength: 10),
        .init(country: "CH", callingCode: "41", trunkPrefix: "0", minLength: 9, maxLength: 9),
        .init(country: "NO", callingCode: "47", trunkPrefix: "", minLength: 8, maxLength: 8),
        .init(country: "IS", callingCode: "354", trunkPrefix: "", minLength: 7, maxLength: 9),
        .init(country: "TR", callingCode: "90", trunkPrefix: "0", minLength: 10, maxLength: 10),
        .init(country: "RU", callingCode: "7", trunkPrefix: "8", minLength: 10, maxLength: 10),
        // Asia-Pacific.
        .init(country: "AU", callingCode: "61", trunkPrefix: "0", minLength: 9, maxLength: 9),
        .init(country: "NZ", callingCode: "64", trunkPrefix: "0", minLength: 8, maxLength: 10),
        .init(country: "JP", callingCode: "81", trunkPrefix: "0", minLength: 9, maxLength: 10),
        .init(country: "CN", callingCode: "86", trunkPrefix: "0", minLength: 10, maxLength: 11),
        .init(country: "IN", callingCode: "91", trunkPrefix: "0", minLength: 10, maxLength: 10),
        .init(country: "SG", callingCode: "65", trunkPrefix: "", minLength: 8, maxLength: 8),
        .init(country: "HK", callingCode: "852", trunkPrefix: "", minLength: 8, maxLength: 8),
        .init(country: "KR", callingCode: "82", trunkPrefix: "0", minLength: 9, maxLength: 10),
        // Middle East, Africa, Latin America.
        .init(country: "IL", callingCode: "972", trunkPrefix: "0", minLength: 8, maxLength: 9),
        .init(country: "AE", callingCode: "971", trunkPrefix: "0", minLength: 8, maxLength: 9),
        .init(country: "ZA", callingCode: "27", trunkPrefix: "0", minLength: 9, maxLength: 9),
        .init(country: "BR", callingCode: "55", trunkPrefix: "0", minLength: 10, maxLength: 11),
        .init(country: "MX", callingCode: "52", trunkPrefix: "", minLength: 10, maxLength: 10),
        .init(country: "AR", callingCode: "54", trunkPrefix: "0", minLength: 10, maxLength: 10),
    ]

    /// Index into ``plans`` by alpha-2 country code.
    /// Every calling code of the known plans (`44`, `1`, `353`).
    static let callingCodes: Set<String> = Set(plans.map(\.callingCode))

    static let indexByCountry: [String: Int] = {
        var result: [String: Int] = [:]
        for (index, plan) in plans.enumerated() { result[plan.country] = index }
        return result
    }()

    /// Index into ``plans`` by numeric calling code (0–999), -1 where none is listed. Calling codes
    /// are prefix-free, so reading one, two, then three digits finds at most one.
    static let planIndexByCallingCode: [Int16] = {
        var table = [Int16](repeating: -1, count: 1000)
        for (index, plan) in plans.enumerated() where table[plan.callingCodeValue] < 0 {
            table[plan.callingCodeValue] = Int16(index)
        }
        return table
    }()

    /// Numeric facts per plan, in ``plans`` order.
    static let rules: [PhoneLengthRule] = plans.map {
        PhoneLengthRule(
            callingCode: $0.callingCodeValue, trunkIsZero: $0.trunkPrefix == "0",
            minLength: $0.minLength, maxLength: $0.maxLength)
    }

    /// Trunk prefix digits per plan, in ``plans`` order.
    static let trunkDigits: [[UInt8]] = plans.map { Array($0.trunkPrefix.utf8) }
}
