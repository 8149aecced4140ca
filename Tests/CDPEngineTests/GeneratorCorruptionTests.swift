import CDPCore
import Testing

@testable import CDPEngine

/// The corruptions real records carry that the generator adds: a birth date a year or a digit off, a phone
/// digit typo, names swapped, people sharing a household, CRM customers without an email.
@Suite struct GeneratorCorruptionTests {
    static func iso(_ date: CivilDate) -> String { GenerationContext.isoDate(date) }

    @Test(arguments: 0..<200)
    func aDigitTypoChangesOneDigitAndKeepsARealDate(seed: Int) {
        var random = SplitMix64(seed: UInt64(seed))
        let date = CivilDate(daysSinceEpoch: random.between(CivilDate.days(1940, 1, 1), CivilDate.days(2006, 12, 31)))
        let typo = RecordCorruption.digitTypo(date, random: &random)
        let before = Array(Self.iso(date)), after = Array(Self.iso(typo))
        let changed = zip(before, after).filter { $0 != $1 }.count
        // One digit, or (when no digit gave a real date) the same day a year off.
        #expect(changed == 1 || abs(typo.year - date.year) == 1, "\(Self.iso(date)) → \(Self.iso(typo))")
        #expect(typo != date)
        #expect(LocalDate(isoText: Self.iso(typo)) != nil)
    }

    @Test func aYearOffKeepsTheDayOrTakesTheLastOfFebruary() {
        var random = SplitMix64(seed: 3)
        let leap = RecordCorruption.yearOff(CivilDate(year: 2000, month: 2, day: 29), random: &random)
        #expect(leap.month == 2 && leap.day == 28 && abs(leap.year - 2000) == 1)
        let plain = RecordCorruption.yearOff(CivilDate(year: 1980, month: 6, day: 15), random: &random)
        #expect(plain.month == 6 && plain.day == 15 && abs(plain.year - 1980) == 1)
    }

    @Test(arguments: ["+44 20 7946 0123", "(415) 555-0134", "07700900123"])
    func aPhoneTypoChangesOneDigitAfterTheThird(phone: String) {
        for seed in 0..<50 {
            var random = SplitMix64(seed: UInt64(seed))
            let typo = RecordCorruption.mistyped(phone: phone, random: &random)
            let before = Array(phone), after = Array(typo)
            #expect(before.count == after.count)
            let changed = before.indices.filter { before[$0] != after[$0] }
            #expect(changed.count == 1)
            let digitsBefore = before[..<changed[0]].filter(\.isNumber).count
            #expect(digitsBefore >= 3)
        }
    }

    /// Households: some people live at the address of the person before them, with their surname, yet are
    /// other people (their own first name, birth date and email).
    @Test func somePeopleShareAHouseholdAndStayThemselves() {
        let factory = PersonFactory(seed: 7, people: 5000)
        var households = 0
        for index in 1..<5000 {
            let person = factory.person(index), before = factory.person(index - 1)
            guard person.street == before.street && person.postcode == before.postcode && person.family == before.family else { continue }
            households += 1
            #expect(person.email != before.email)
        }
        // About 4% (a binomial count of 5,000 draws).
        #expect((120...280).contains(households), "\(households)")
    }

    @Test func someCRMCustomersHaveNoEmail() throws {
        let rows = try GeneratorFixture.load().csvRows(.customers)
        // customer_id,first_name,last_name,email,… (the injected problems leave most rows as generated).
        let withoutEmail = rows.filter { $0.count > 3 && $0[3].isEmpty }.count
        // About 4% of 2,000 (and a few problem rows).
        #expect((40...160).contains(withoutEmail), "\(withoutEmail) of \(rows.count)")
    }

    /// Marketing contacts carry each corruption at about its rate: names the wrong way round, a birth date a
    /// year or a digit off, a phone with one digit wrong; the same seed gives the same contacts.
    @Test func contactsCarryTheCorruptionsAtTheirRates() {
        let options = GeneratorOptions(customers: 6000, seed: 5)
        let context = GenerationContext(options: options, plan: GenerationPlan(options: options), progress: nil)
        var swapped = 0, named = 0, yearOff = 0, otherBirth = 0, dated = 0, mistyped = 0, phoned = 0
        for position in 0..<4000 {
            let personIndex = Int(context.plan.contactPeople[position])
            let person = context.people.person(personIndex)
            let record = context.contactRecord(number: position + 1, personIndex: personIndex)
            let again = context.contactRecord(number: position + 1, personIndex: personIndex)
            #expect(record.fullName == again.fullName && record.birthday == again.birthday && record.phone == again.phone)
            if person.scriptGiven == nil, person.given.name != person.family {
                named += 1
                let name = record.fullName.lowercased().split(separator: " ").joined(separator: " ")
                if name == (person.family + " " + person.given.name).lowercased() { swapped += 1 }
            }
            if let birthday = record.birthday {
                dated += 1
                let parts = birthday.split(separator: "/").compactMap { Int($0) }
                if parts.count == 3, parts[0] == person.birth.day, parts[1] == person.birth.month, abs(parts[2] - person.birth.year) == 1 {
                    yearOff += 1
                } else if birthday != GenerationContext.dayMonthYear(person.birth) {
                    otherBirth += 1
                }
            }
            if let phone = record.phone {
                phoned += 1
                let forms = [person.phone.national, person.phone.international, person.phone.e164, person.phone.nationalCompact]
                if !forms.contains(phone) { mistyped += 1 }
            }
        }
        // Names swapped: 3% of contacts, of which about two thirds are written "given family" (then "family given").
        #expect((named / 100...named / 25).contains(swapped), "\(swapped) of \(named)")
        // A year off: 2% plus digit typos that give one; another date: the other digit typos (about 2%).
        #expect((dated / 70...dated / 25).contains(yearOff), "\(yearOff) of \(dated)")
        #expect((dated / 100...dated / 30).contains(otherBirth), "\(otherBirth) of \(dated)")
        #expect((phoned / 50...phoned / 15).contains(mistyped), "\(mistyped) of \(phoned)")
    }

    /// A re-registration (the CRM's second record of a person) carries the same corruptions as contacts.
    @Test func reRegistrationsCarryTheCorruptions() {
        let options = GeneratorOptions(customers: 30000, seed: 9)
        let context = GenerationContext(options: options, plan: GenerationPlan(options: options), progress: nil)
        var seconds = 0, swapped = 0, otherBirth = 0
        for row in 0..<context.plan.customerRows.count where context.plan.customerRows[row] & 1 == 1 {
            let record = context.customerRecord(row: row)
            let person = record.person
            seconds += 1
            if record.lastName == person.given.name && person.given.name != person.family { swapped += 1 }
            if !record.birthDate.isEmpty && record.birthDate != GenerationContext.isoDate(person.birth) { otherBirth += 1 }
        }
        // About 850 re-registrations: 3% with names swapped, 4% with another birth date (95% have one).
        #expect(seconds > 500)
        #expect((seconds / 100...seconds / 15).contains(swapped), "\(swapped) of \(seconds)")
        #expect((seconds / 60...seconds / 12).contains(otherBirth), "\(otherBirth) of \(seconds)")
    }
}
