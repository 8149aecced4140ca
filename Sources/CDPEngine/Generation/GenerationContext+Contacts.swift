/// One marketing contact before it is written.
struct ContactRecord {
    var number: Int
    var fullName: String
    var email: String?
    var phone: String?
    var country: String?
    var birthday: String?
    var crmCustomer: Int?
    var signupSource: String
    var subscribed: Bool
    var created: Int
}

extension GenerationContext {
    enum ContactStream {
        static let record: UInt64 = 30
        static let problem: UInt64 = 31
        static let duplicate: UInt64 = 32
        static let corruption: UInt64 = 33
    }

    /// The share of contacts that carry their CRM customer id.
    static let crmIdShare = 0.35

    /// A contact as the marketing platform holds it: same person, written its own way.
    func contactRecord(number: Int, personIndex: Int, stream: UInt64 = ContactStream.record) -> ContactRecord {
        let person = people.person(personIndex)
        var random = self.random(stream, number)
        let profile = person.profile

        var given = person.given.name
        var family = person.family
        if !person.given.nicknames.isEmpty && random.chance(0.12) { given = random.pick(person.given.nicknames) }
        if random.chance(0.07) {
            if random.chance(0.5) {
                given = TextVariation.typo(given, random: &random)
            } else {
                family = TextVariation.typo(family, random: &random)
            }
        }
        var corruptionRandom = self.random(ContactStream.corruption, number)
        let corruption = RecordCorruption(birth: person.birth, random: &corruptionRandom)
        if corruption.namesSwapped { swap(&given, &family) }
        var fullName: String
        if let scriptGiven = person.scriptGiven, let scriptFamily = person.scriptFamily, random.chance(0.5) {
            fullName = person.culture == .japanese ? scriptFamily + " " + scriptGiven : scriptFamily + scriptGiven
        } else {
            switch random.weightedIndex([70, 13, 6, 5, 6]) {
            case 0: fullName = given + " " + family
            case 1: fullName = family + ", " + given
            case 2: fullName = (given + " " + family).uppercased()
            case 3: fullName = (given + " " + family).lowercased()
            default: fullName = given + "  " + family + " "
            }
        }

        var email: String? = person.email
        switch random.weightedIndex([58, 10, 8, 9, 9, 6]) {
        case 1: email = person.emailLocal.prefix(1).uppercased() + person.emailLocal.dropFirst() + "@" + person.emailDomain.uppercased()
        case 2:
            switch person.emailDomain {
            case "gmail.com": email = person.emailLocal + "@googlemail.com"
            case "googlemail.com": email = person.emailLocal + "@gmail.com"
            default: email = person.emailLocal.uppercased() + "@" + person.emailDomain
            }
        case 3: email = person.workEmail.local + "@" + person.workEmail.domain
        case 4: email = person.otherEmail.local + "@" + person.otherEmail.domain
        case 5: email = nil
        default: break
        }

        var phone: String?
        switch random.weightedIndex([30, 25, 20, 13, 12]) {
        case 0: phone = person.phone.national
        case 1: phone = person.phone.international
        case 2: phone = person.phone.e164
        case 3: phone = person.phone.nationalCompact
        default: phone = nil
        }

        if corruption.phoneTypo, let number = phone { phone = RecordCorruption.mistyped(phone: number, random: &corruptionRandom) }
        let country: String?
        switch random.weightedIndex([45, 30, 10, 8, 7]) {
        case 0: country = profile.names[0]
        case 1: country = profile.code
        case 2: country = random.pick(profile.names)
        case 3: country = profile.code.lowercased()
        default: country = nil
        }

        var crmCustomer: Int?
        if personIndex < plan.crmPeople
            && random.chance(Self.crmIdShare / GenerationPlan.crmContactShare)
        {
            let second = plan.secondRow[personIndex]
            let row = second != UInt32.max && random.chance(0.3) ? second : plan.primaryRow[personIndex]
            crmCustomer = Int(row) + 1
        }
        let sources = ["web", "ads", "event", "import"]
        return ContactRecord(
            number: number, fullName: fullName, email: email, phone: phone, country: country,
            birthday: random.chance(0.6) ? Self.dayMonthYear(corruption.birth ?? person.birth) : nil, crmCustomer: crmCustomer,
            signupSource: sources[random.weightedIndex([50, 25, 10, 15])], subscribed: random.chance(0.75),
            created: random.between(CivilDate.days(2019, 1, 1), GenerationContext.lastDay) * 86_400
                + random.below(86_400))
    }

    static func dayMonthYear(_ date: CivilDate) -> String {
        let day = date.day < 10 ? "0\(date.day)" : "\(date.day)"
        let month = date.month < 10 ? "0\(date.month)" : "\(date.month)"
        return day + "/" + month + "/" + String(date.year)
    }

    /// Writes `inbox/marketing/contacts.jsonl` and returns the number of lines.
    func writeContacts(to sink: ByteSink, tally: inout ProblemTally) throws -> Int {
        let rotation: [GeneratedProblem] = [.malformedEmail, .unknownCountry, .badBirthday, .duplicateKey]
        let count = plan.contactPeople.count
        let brokenLine = count / 2
        var written = 0
        for position in 0..<count {
            let number = position + 1
            let personIndex = Int(plan.contactPeople[position])
            var record = contactRecord(number: number, personIndex: personIndex)
            var problemRandom = random(ContactStream.problem, number)
            var problem: GeneratedProblem?
            if position == brokenLine {
                problem = .invalidJSON
            } else if problemRandom.chance(options.problemRate) {
                problem = tally.next(of: rotation)
            }
            switch problem {
            case .malformedEmail:
                let person = people.person(personIndex)
                record.email = Self.malformedEmail(local: person.emailLocal, domain: person.emailDomain, random: &problemRandom)
            case .unknownCountry:
                record.country = problemRandom.pick(PlaceCatalog.unknownCountries)
            case .badBirthday:
                let year = people.person(personIndex).birth.year
                record.birthday = problemRandom.pick(["31/02/\(year)", "30/02/\(year)", "31/04/\(year)", "00/13/\(year)", "45/01/\(year)"])
            default:
                break
            }
            let start = sink.buffer.count
            writeContact(record, to: sink)
            if problem == .invalidJSON {
                // An object cut short: the export died mid-line and resumed on the next.
                let cut = start + (sink.buffer.count - start) / 2
                sink.dropLast(sink.buffer.count - cut)
            }
            sink.append(UInt8(ascii: "\n"))
            written += 1
            if let problem, problem != .duplicateKey { tally.record(problem) }
            if problem == .duplicateKey {
                // The same contact id again later, with what the platform changed since.
                var duplicateRandom = random(ContactStream.duplicate, number)
                let earlier = max(0, position - 1 - duplicateRandom.below(max(1, min(position, 500))))
                var duplicate = contactRecord(
                    number: earlier + 1, personIndex: Int(plan.contactPeople[earlier]), stream: ContactStream.duplicate)
                duplicate.subscribed.toggle()
                writeContact(duplicate, to: sink)
                sink.append(UInt8(ascii: "\n"))
                tally.record(.duplicateKey)
                written += 1
            }
            try sink.endRow()
            report(.contacts, written)
        }
        return written
    }

    private func writeContact(_ record: ContactRecord, to sink: ByteSink) {
        sink.append("{\"contact_id\":\"M")
        sink.append(padded: record.number, width: 7)
        sink.append("\",\"full_name\":")
        sink.append(jsonString: record.fullName)
        sink.append(",\"email\":")
        sink.append(jsonOptional: record.email)
        sink.append(",\"phone\":")
        sink.append(jsonOptional: record.phone)
        sink.append(",\"country\":")
        sink.append(jsonOptional: record.country)
        sink.append(",\"birthday\":")
        sink.append(jsonOptional: record.birthday)
        sink.append(",\"crm_customer_id\":")
        if let customer = record.crmCustomer {
            sink.append("\"C")
            sink.append(padded: customer, width: 7)
            sink.append(UInt8(ascii: "\""))
        } else {
            sink.append("null")
        }
        sink.append(",\"signup_source\":\"")
        sink.append(record.signupSource)
        sink.append(record.subscribed ? "\",\"subscribed\":true,\"created\":\"" : "\",\"subscribed\":false,\"created\":\"")
        sink.append(timestamp: record.created, iso: true)
        sink.append("\"}")
    }
}
