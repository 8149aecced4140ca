import CDPCore

/// One CRM customer row before it is written.
struct CustomerRecord {
    var number: Int
    var person: Person
    var firstName: String
    var lastName: String
    var email: String
    var phone: String
    var birthDate: String
    var street: String
    var city: String
    var postcode: String
    var country: String
    var created: Int
    var updated: Int
    var tier: String
    var emailOptIn: String
    var smsOptIn: String
}

extension GenerationContext {
    enum CustomerStream {
        static let record: UInt64 = 20
        static let secondRecord: UInt64 = 21
        static let problem: UInt64 = 22
        static let duplicate: UInt64 = 23
        static let corruption: UInt64 = 24
        static let withoutEmail: UInt64 = 25
    }

    /// The share of CRM people registered without an email (in-store customers).
    static let withoutEmailShare = 0.04

    static let customerHeader =
        "customer_id,first_name,last_name,email,phone,birth_date,street,city,postcode,country,created_at,updated_at,loyalty_tier,email_opt_in,sms_opt_in"

    /// The clean record for a CRM row: a person's first registration or their re-registration.
    func customerRecord(row: Int) -> CustomerRecord {
        let code = plan.customerRows[row]
        let personIndex = Int(code >> 1)
        let person = people.person(personIndex)
        var random = self.random(CustomerStream.record, personIndex)
        var record = Self.firstRegistration(number: row + 1, person: person, random: &random)
        if code & 1 == 1 {
            var variation = self.random(CustomerStream.secondRecord, personIndex)
            record = Self.reRegistration(of: record, random: &variation)
            record.number = row + 1
            var corruptionRandom = self.random(CustomerStream.corruption, personIndex)
            let corruption = RecordCorruption(birth: person.birth, random: &corruptionRandom)
            if corruption.namesSwapped { swap(&record.firstName, &record.lastName) }
            if let birth = corruption.birth, !record.birthDate.isEmpty { record.birthDate = Self.isoDate(birth) }
            if corruption.phoneTypo, !record.phone.isEmpty { record.phone = RecordCorruption.mistyped(phone: record.phone, random: &corruptionRandom) }
        }
        var walkIn = self.random(CustomerStream.withoutEmail, personIndex)
        if walkIn.chance(Self.withoutEmailShare) { record.email = "" }
        return record
    }

    private static func firstRegistration(number: Int, person: Person, random: inout SplitMix64) -> CustomerRecord {
        let profile = person.profile
        var first = person.given.name
        var last = person.family
        if let scriptGiven = person.scriptGiven, let scriptFamily = person.scriptFamily, random.chance(0.75) {
            first = scriptGiven
            last = scriptFamily
        } else if random.chance(0.02) {
            last = last.uppercased()
        } else if !person.given.nicknames.isEmpty && random.chance(0.004) {
            // Some CRMs keep the nickname inside the first name, quotes and all.
            first += " \"" + random.pick(person.given.nicknames) + "\""
        }
        let phone: String
        switch random.weightedIndex([76, 14, 6, 4]) {
        case 0: phone = person.phone.national
        case 1: phone = person.phone.international
        case 2: phone = person.phone.e164
        default: phone = ""
        }
        let country =
            random.chance(0.88) ? profile.code : random.pick(profile.names + [profile.alpha3, profile.code.lowercased()])
        let created = random.between(CivilDate.days(2015, 1, 1), CivilDate.days(2025, 6, 30)) * 86_400
            + random.below(86_400)
        let updated = random.chance(0.25) ? created : random.between(created, GenerationContext.lastDay * 86_400)
        let tiers = ["", "bronze", "silver", "gold", "platinum"]
        let tier = tiers[random.weightedIndex([40, 30, 18, 9, 3])]
        let optIns = ["Y", "N", ""]
        return CustomerRecord(
            number: number, person: person, firstName: first, lastName: last, email: person.email, phone: phone,
            birthDate: random.chance(0.95) ? isoDate(person.birth) : "", street: person.street, city: person.city,
            postcode: person.postcode, country: country, created: created, updated: updated,
            tier: tier, emailOptIn: optIns[random.weightedIndex([60, 37, 3])],
            smsOptIn: optIns[random.weightedIndex([35, 62, 3])])
    }

    /// The same person registering again: a nickname, a typo, a new email, a move, another phone format.
    private static func reRegistration(of original: CustomerRecord, random: inout SplitMix64) -> CustomerRecord {
        var record = original
        let person = original.person
        var changed = false
        if !person.given.nicknames.isEmpty && record.firstName == person.given.name && random.chance(0.4) {
            record.firstName = random.pick(person.given.nicknames)
            changed = true
        }
        if random.chance(0.3) {
            if random.chance(0.5) {
                record.firstName = TextVariation.typo(record.firstName, random: &random)
            } else {
                record.lastName = TextVariation.typo(record.lastName, random: &random)
            }
            changed = true
        }
        if random.chance(0.45) {
            record.email = person.otherEmail.local + "@" + person.otherEmail.domain
            changed = true
        }
        var city = person.profile.cities.first { $0.name == person.city } ?? person.profile.cities[0]
        if random.chance(0.4) || !changed {
            city = random.pick(person.profile.cities)
            let address = PersonFactory.address(profile: person.profile, city: city, random: &random)
            record.street = address.street
            record.city = city.name
            record.postcode = address.postcode
        }
        switch random.below(4) {
        case 0: record.phone = person.phone.international
        case 1: record.phone = person.phone.nationalCompact
        case 2: record.phone = PersonFactory.phone(country: person.country, city: city, random: &random).national
        default: break
        }
        record.created = min(
            original.created + random.between(30, 1500) * 86_400, (GenerationContext.lastDay - 20) * 86_400)
        record.updated = random.chance(0.4) ? record.created : random.between(record.created, GenerationContext.lastDay * 86_400)
        record.tier = random.chance(0.7) ? "" : "bronze"
        return record
    }

    static func isoDate(_ date: CivilDate) -> String {
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return pad(date.year, 4) + "-" + pad(date.month, 2) + "-" + pad(date.day, 2)
    }

    /// Writes `inbox/crm/customers.csv` (CRLF) and returns the number of data rows.
    func writeCustomers(to sink: ByteSink, tally: inout ProblemTally) throws -> Int {
        sink.append(Self.customerHeader)
        sink.append("\r\n")
        let rowCount = plan.customerRows.count
        let rotation: [GeneratedProblem] = [
            .malformedEmail, .impossibleBirthDate, .unknownCountry, .missingRequiredField, .createdAfterUpdated,
            .duplicateKey,
        ]
        var written = 0
        var latin1Written = false
        let latin1Target = rowCount / 2
        for row in 0..<rowCount {
            var record = customerRecord(row: row)
            let isLast = row == rowCount - 1
            var problemRandom = random(CustomerStream.problem, row)
            var problem: GeneratedProblem?
            let latin1Fallback = !latin1Written && row == rowCount - 2
            if !isLast && !latin1Fallback && problemRandom.chance(options.problemRate) {
                problem = tally.next(of: rotation)
            }
            if let problem, problem != .duplicateKey {
                Self.inject(problem, into: &record, random: &problemRandom)
                tally.record(problem)
            }
            var latin1 = false
            if !latin1Written && !isLast && problem == nil && row >= latin1Target {
                let name = record.firstName + record.lastName
                if TextVariation.hasNonASCII(name) || row == rowCount - 2 {
                    if !TextVariation.hasNonASCII(name) { record.firstName = "Renée" }
                    latin1 = TextVariation.isLatin1(
                        record.firstName + record.lastName + record.street + record.city + record.country)
                }
            }
            let start = sink.buffer.count
            let emailRange = writeCustomer(record, to: sink)
            if latin1 {
                let line = String(decoding: sink.buffer[start...], as: UTF8.self)
                sink.dropLast(sink.buffer.count - start)
                sink.append(bytes: TextVariation.latin1Bytes(line))
                latin1Written = true
                tally.record(.latin1Line)
            }
            written += 1
            if isLast {
                // Cut the last line in the middle of the email, as an interrupted export would.
                let cut = emailRange.lowerBound + max(1, emailRange.count / 2)
                sink.dropLast(sink.buffer.count - cut)
                tally.record(.truncatedLine)
            } else {
                sink.append("\r\n")
            }
            if problem == .duplicateKey && row > 0 {
                // A later row reusing an earlier customer id with different content.
                var duplicateRandom = random(CustomerStream.duplicate, row)
                let earlier = max(0, row - 1 - duplicateRandom.below(min(row, 2000)))
                var duplicate = customerRecord(row: earlier)
                duplicate.updated = max(duplicate.updated, duplicate.created) + duplicateRandom.between(1, 400) * 3600
                duplicate.phone = duplicate.person.phone.international
                duplicate.tier = duplicate.tier == "gold" ? "platinum" : "gold"
                duplicate.emailOptIn = duplicate.emailOptIn == "Y" ? "N" : "Y"
                _ = writeCustomer(duplicate, to: sink)
                sink.append("\r\n")
                tally.record(.duplicateKey)
                written += 1
            }
            try sink.endRow()
            report(.customers, written)
        }
        return written
    }

    /// Writes one row without its line ending; returns the email field's byte range in the buffer.
    private func writeCustomer(_ record: CustomerRecord, to sink: ByteSink) -> Range<Int> {
        sink.append(UInt8(ascii: "C"))
        sink.append(padded: record.number, width: 7)
        sink.append(UInt8(ascii: ","))
        sink.append(csvField: record.firstName)
        sink.append(UInt8(ascii: ","))
        sink.append(csvField: record.lastName)
        sink.append(UInt8(ascii: ","))
        let emailStart = sink.buffer.count
        sink.append(csvField: record.email)
        let emailEnd = sink.buffer.count
        for field in [record.phone, record.birthDate, record.street, record.city, record.postcode, record.country] {
            sink.append(UInt8(ascii: ","))
            sink.append(csvField: field)
        }
        sink.append(UInt8(ascii: ","))
        sink.append(timestamp: record.created, iso: false)
        sink.append(UInt8(ascii: ","))
        sink.append(timestamp: record.updated, iso: false)
        for field in [record.tier, record.emailOptIn, record.smsOptIn] {
            sink.append(UInt8(ascii: ","))
            sink.append(field)
        }
        return emailStart..<emailEnd
    }

    private static func inject(_ problem: GeneratedProblem, into record: inout CustomerRecord, random: inout SplitMix64) {
        switch problem {
        case .malformedEmail:
            record.email = malformedEmail(local: record.person.emailLocal, domain: record.person.emailDomain, random: &random)
        case .impossibleBirthDate:
            let year = record.person.birth.year
            record.birthDate = random.pick([
                "\(year)-02-30", "\(year)-02-31", "\(year)-04-31", "\(year)-13-05", "\(random.between(2090, 2099))-05-01",
                "\(random.between(1850, 1880))-01-01",
            ])
        case .unknownCountry:
            record.country = random.pick(PlaceCatalog.unknownCountries)
        case .missingRequiredField:
            // A key and a name (first or last) are required; a missing email is no problem (in-store customers
            // have none), nor is a missing first or last name alone.
            record.firstName = ""
            record.lastName = ""
        case .createdAfterUpdated:
            let created = record.created
            record.created = max(record.updated, created) + random.between(1, 400) * 86_400
            record.updated = min(created, record.updated)
        default:
            break
        }
    }

    /// An email address a validator must reject: a doubled `@`, "at" in words, no TLD, no `@`.
    static func malformedEmail(local: String, domain: String, random: inout SplitMix64) -> String {
        switch random.below(4) {
        case 0: return local + "@@" + domain
        case 1: return local + " at " + domain
        case 2:
            let bare = domain.split(separator: ".").first.map(String.init) ?? domain
            return local + "@" + bare
        default: return local + "." + domain
        }
    }
}
