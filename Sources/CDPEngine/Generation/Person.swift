import CDPCore

/// A telephone number: the country's calling code, the national significant number and its plan.
struct Phone: Sendable {
    var country: Int
    var digits: String
    var plan: PhonePlan

    /// The national form, as written in the country ("020 7946 0123", "(415) 555-0134").
    var national: String { Self.fill(plan.national, with: digits) }
    /// The spaced international form ("+44 20 7946 0123").
    var international: String { Self.fill(plan.international, with: digits) }
    /// E.164 without separators ("+442079460123").
    var e164: String { "+" + PlaceCatalog.countries[country].callingCode + digits }
    /// The national form without separators ("02079460123").
    var nationalCompact: String {
        String(decoding: national.utf8.filter { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }, as: UTF8.self)
    }

    private static func fill(_ template: String, with digits: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(template.utf8.count)
        var digitIterator = digits.utf8.makeIterator()
        for byte in template.utf8 {
            if byte == UInt8(ascii: "#") {
                if let digit = digitIterator.next() { bytes.append(digit) }
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A true entity: one real person behind any number of CRM and marketing records.
struct Person: Sendable {
    var index: Int
    var culture: Culture
    var country: Int
    var given: GivenName
    var family: String
    /// The names as email tokens ("Müller" → "muller").
    var givenToken: String
    var familyToken: String
    /// The name in CJK script, when the person writes it so (about 1% of people).
    var scriptGiven: String?
    var scriptFamily: String?
    var birth: CivilDate
    var street: String
    var city: String
    var postcode: String
    var emailLocal: String
    var emailDomain: String
    /// A second personal address (a new sign-up) and a work one, each the person's own.
    var otherEmail: (local: String, domain: String)
    var workEmail: (local: String, domain: String)
    var phone: Phone

    var profile: CountryProfile { PlaceCatalog.countries[country] }
    var email: String { emailLocal + "@" + emailDomain }
    /// The entity id in the truth file ("P00000001").
    var entityNumber: Int { index + 1 }
}

/// Creates people from a seed; person `i` is always the same person, whichever records are written.
///
/// No two people share an email address, as no mail provider hands out one mailbox twice: when an address a
/// person would pick is already held by someone earlier, they take it with a number added ("anna.berg417"),
/// as sign-up forms make people do. Without this, namesakes at large sizes (hundreds of "john.smith@gmail.com")
/// share addresses, which real data does not do and which no matcher should be tuned to.
struct PersonFactory: Sendable {
    var seed: UInt64
    /// Address hash (FNV-1a of `local@domain`) → the person who holds it.
    private var owners: [UInt64: UInt32] = [:]
    /// Per person, the addresses that had to change: primary, second personal and work.
    private var renamed: [UInt32: [String?]] = [:]

    static let stream: UInt64 = 1
    static let addressStream: UInt64 = 2
    static let otherAddressStream: UInt64 = 3
    static let householdStream: UInt64 = 4
    /// The share of people who live with the person before them: another person (their own first name,
    /// birth date and email) at the same address, with the same surname and sometimes the same landline.
    static let householdShare = 0.04

    /// People `0..<people`, their addresses (primary, then a second personal one and a work one) registered
    /// in person order.
    init(seed: UInt64, people: Int) {
        self.seed = seed
        owners.reserveCapacity(people * 3)
        for index in 0..<people {
            let drafted = draft(index)
            var random = SplitMix64.record(seed: seed, stream: Self.addressStream, index: index)
            var changes: [String?] = []
            for (local, domain) in [(drafted.emailLocal, drafted.emailDomain), drafted.otherEmail, drafted.workEmail] {
                var candidate = local
                var tries = 0
                while let owner = owners[Self.addressHash(candidate, domain)], owner != UInt32(index) {
                    // Four digits, then more once a name has used most of them up (only at huge sizes).
                    tries += 1
                    candidate = local + String(random.between(1, 9999 * (1 + tries / 1000)))
                }
                owners[Self.addressHash(candidate, domain)] = UInt32(index)
                changes.append(candidate == local ? nil : candidate)
            }
            if changes.contains(where: { $0 != nil }) { renamed[UInt32(index)] = changes }
        }
    }

    func person(_ index: Int) -> Person {
        var person = draft(index)
        if let changes = renamed[UInt32(index)] {
            if let local = changes[0] { person.emailLocal = local }
            if let local = changes[1] { person.otherEmail.local = local }
            if let local = changes[2] { person.workEmail.local = local }
        }
        return person
    }

    /// FNV-1a of the mailbox: `googlemail.com` is Gmail under another name (contacts swap the two), so both
    /// hash as `gmail.com`.
    static func addressHash(_ local: String, _ domain: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in local.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        hash = (hash ^ UInt64(UInt8(ascii: "@"))) &* 0x100_0000_01B3
        for byte in (domain == "googlemail.com" ? "gmail.com" : domain).utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return hash
    }

    /// Person `index` as drawn from the seed, before addresses are made unique: on their own, or in the
    /// household of the person before them (who may be in a household themselves).
    private func draft(_ index: Int) -> Person {
        var household = SplitMix64.record(seed: seed, stream: Self.householdStream, index: index)
        guard index > 0, household.chance(Self.householdShare) else { return ownDraft(index, household: nil) }
        return ownDraft(index, household: (draft(index - 1), household.chance(0.3)))
    }

    /// Person `index` as drawn from the seed: on their own, or living with `household.head` (their culture,
    /// country, surname and address; with `sharesPhone`, their landline too) yet with their own first name,
    /// birth date, email and phone.
    private func ownDraft(_ index: Int, household: (head: Person, sharesPhone: Bool)?) -> Person {
        var random = SplitMix64.record(seed: seed, stream: Self.stream, index: index)
        var culture = Culture.allCases[random.weightedIndex(Culture.weights)]
        let countryTable = PlaceCatalog.countryTables[culture.rawValue]
        var country = countryTable.countries[random.weightedIndex(countryTable.weights)]
        if let head = household?.head {
            culture = head.culture
            country = head.country
        }
        let profile = PlaceCatalog.countries[country]

        let givenPool = NameCatalog.givenPools[culture.rawValue]
        let familyPool = NameCatalog.familyPools[culture.rawValue]
        let givenIndex = random.below(givenPool.count)
        let familyIndex = random.below(familyPool.count)
        var scriptGiven: String?
        var scriptFamily: String?
        let scriptGivenPool = NameCatalog.scriptGivenPools[culture.rawValue]
        if !scriptGivenPool.isEmpty && random.chance(0.12) && household == nil {
            scriptGiven = scriptGivenPool[givenIndex].script
            scriptFamily = NameCatalog.scriptFamilyPools[culture.rawValue][familyIndex].script
        }
        let givenToken = NameCatalog.givenTokens[culture.rawValue][givenIndex]
        let given = givenPool[givenIndex]
        let familyToken = household?.head.familyToken ?? NameCatalog.familyTokens[culture.rawValue][familyIndex]
        let family = household?.head.family ?? familyPool[familyIndex]

        let birthDays = random.between(CivilDate.days(1940, 1, 1), CivilDate.days(2006, 12, 31))
        var city = random.pick(profile.cities)
        var address = Self.address(profile: profile, city: city, random: &random)
        if let head = household?.head {
            city = profile.cities.first { $0.name == head.city } ?? city
            address = (head.street, head.postcode)
        }
        let email = Self.email(
            given: givenToken, family: familyToken, birthYear: CivilDate(daysSinceEpoch: birthDays).year, profile: profile,
            random: &random)
        var phone = Self.phone(country: country, city: city, random: &random)
        if let household, household.sharesPhone { phone = household.head.phone }  // a shared landline
        // The other addresses come from their own stream, so drawing them leaves every other draw as it was.
        var addresses = SplitMix64.record(seed: seed, stream: Self.otherAddressStream, index: index)
        let other = Self.email(
            given: givenToken, family: familyToken, birthYear: CivilDate(daysSinceEpoch: birthDays).year, profile: profile,
            random: &addresses)
        let work = (local: givenToken + "." + familyToken, domain: addresses.pick(PlaceCatalog.workDomains))
        return Person(
            index: index, culture: culture, country: country, given: given, family: family,
            givenToken: givenToken, familyToken: familyToken,
            scriptGiven: scriptGiven, scriptFamily: scriptFamily, birth: CivilDate(daysSinceEpoch: birthDays),
            street: address.street, city: city.name, postcode: address.postcode, emailLocal: email.local,
            emailDomain: email.domain, otherEmail: other, workEmail: work, phone: phone)
    }

    /// A street line and postcode in the city.
    static func address(profile: CountryProfile, city: City, random: inout SplitMix64)
        -> (street: String, postcode: String)
    {
        let streetName = random.pick(profile.streets)
        let number = random.chance(0.7) ? random.between(1, 120) : random.between(121, 2400)
        let house = String(number)
        var street: String
        switch profile.streetStyle {
        case .numberFirst: street = house + " " + streetName
        case .numberAfter: street = streetName + " " + house
        case .numberCommaFirst: street = house + ", " + streetName
        case .numberCommaAfter: street = streetName + ", " + house
        case .blockNumbers:
            street = "\(random.between(1, 9))-\(random.between(1, 30))-\(random.between(1, 20)) " + streetName
        }
        if !profile.unitFormats.isEmpty && random.chance(0.12) {
            let unit = fillPattern(random.pick(profile.unitFormats), random: &random)
            street = profile.streetStyle == .numberFirst ? unit + ", " + street : street + ", " + unit
        }
        let postcode = fillPattern(random.pick(city.postcodes), random: &random)
        return (street, postcode)
    }

    /// Replaces `#` with a digit and `@` with a postcode letter.
    static func fillPattern(_ pattern: String, random: inout SplitMix64) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(pattern.utf8.count)
        for byte in pattern.utf8 {
            switch byte {
            case UInt8(ascii: "#"): bytes.append(UInt8(ascii: "0") + UInt8(random.below(10)))
            case UInt8(ascii: "@"): bytes.append(random.pick(PlaceCatalog.postcodeLetters))
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A personal email address built from the name tokens (see `TextVariation.emailToken`), as people pick them.
    static func email(
        given: String, family: String, birthYear: Int, profile: CountryProfile, random: inout SplitMix64
    )
        -> (local: String, domain: String)
    {
        let first = given
        let last = family
        let initial = first.first.map(String.init) ?? "x"
        var local: String
        switch random.weightedIndex([34, 16, 14, 10, 10, 8, 8]) {
        case 0: local = first + "." + last
        case 1: local = initial + "." + last
        case 2: local = first + last
        case 3: local = last + "." + first
        case 4: local = first + "_" + last
        case 5: local = initial + last
        default: local = first + "." + (last.first.map(String.init) ?? "x")
        }
        if random.chance(0.45) {
            switch random.below(3) {
            case 0: local += String(random.between(1, 99))
            case 1: local += String(birthYear)
            default: local += birthYear % 100 < 10 ? "0\(birthYear % 100)" : "\(birthYear % 100)"
            }
        }
        return (local, random.pick(profile.emailDomains))
    }

    static func phone(country: Int, city: City, random: inout SplitMix64) -> Phone {
        let profile = PlaceCatalog.countries[country]
        var plan: PhonePlan
        var prefix: String
        if let landline = profile.landlines[city.areaCode.count],
            profile.mobiles.isEmpty || (!city.areaCode.isEmpty && random.chance(0.3))
        {
            plan = landline
            prefix = city.areaCode
        } else if !profile.mobiles.isEmpty {
            plan = random.pick(profile.mobiles)
            prefix = plan.prefix
        } else {
            plan = PhonePlan(prefix: "", national: "### ### ####", international: "+" + profile.callingCode + " ### ### ####")
            prefix = ""
        }
        let length = plan.national.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: "#") ? 1 : 0) }
        var digits = Array(prefix.utf8)
        // Subscriber numbers do not start with 0 or 1 after the area code (true of NANP, harmless elsewhere).
        if digits.count < length { digits.append(UInt8(ascii: "0") + UInt8(random.between(2, 9))) }
        while digits.count < length { digits.append(UInt8(ascii: "0") + UInt8(random.below(10))) }
        return Phone(country: country, digits: String(decoding: digits, as: UTF8.self), plan: plan)
    }
}
