import Foundation
import Testing

@testable import CDPEngine

/// Finds the deliberate problems in the files by reading them as a validator would, and checks the
/// counts against what the generator says it injected.
@Suite struct GeneratorProblemTests {
    static func validEmail(_ text: String) -> Bool {
        text.wholeMatch(of: /[^@\s]+@[^@\s]+\.[A-Za-z]{2,}/) != nil
    }

    static func validDate(year: Int, month: Int, day: Int) -> Bool {
        guard (1..<13).contains(month), day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }

    static func validBirthDate(_ text: String) -> Bool {
        guard let match = text.wholeMatch(of: /(\d{4})-(\d{2})-(\d{2})/),
            let year = Int(match.1), let month = Int(match.2), let day = Int(match.3)
        else { return false }
        return (1900...2025).contains(year) && validDate(year: year, month: month, day: day)
    }

    static func validBirthday(_ text: String) -> Bool {
        guard let match = text.wholeMatch(of: /(\d{2})\/(\d{2})\/(\d{4})/),
            let day = Int(match.1), let month = Int(match.2), let year = Int(match.3)
        else { return false }
        return (1900...2025).contains(year) && validDate(year: year, month: month, day: day)
    }

    static let knownCountries: Set<String> = {
        var known: Set<String> = []
        for country in PlaceCatalog.countries {
            known.insert(country.code)
            known.insert(country.code.lowercased())
            known.insert(country.alpha3)
            known.formUnion(country.names)
        }
        return known
    }()

    private func expectCounts(
        _ found: [GeneratedProblem: Int], in file: GeneratedFile, summary: GenerationSummary
    ) throws {
        let fileSummary = try #require(summary.file(file))
        for kind in GeneratedProblem.kinds(in: file) {
            #expect(found[kind, default: 0] == fileSummary.rows(with: kind), "\(file): \(kind)")
        }
        #expect(found.values.reduce(0, +) == fileSummary.problemRows, "\(file): problem rows")
    }

    @Test func customerProblemsAreWhereTheSummarySays() throws {
        let fixture = try GeneratorFixture.load()
        var found: [GeneratedProblem: Int] = [:]
        var seen: Set<String> = []
        let rows = try fixture.rawRows(.customers)
        for (index, raw) in rows.enumerated() {
            guard var text = String(data: raw, encoding: .utf8) else {
                found[.latin1Line, default: 0] += 1
                continue
            }
            if text.hasSuffix("\r") { text.removeLast() }
            let fields = CSV.fields(text)
            if index == rows.count - 1 && fields.count < 15 {
                found[.truncatedLine, default: 0] += 1
                continue
            }
            try #require(fields.count == 15, "row \(index + 2): \(text)")
            if !seen.insert(fields[0]).inserted {
                found[.duplicateKey, default: 0] += 1
            } else if fields[2].isEmpty {
                found[.missingRequiredField, default: 0] += 1
            } else if !fields[3].isEmpty && !Self.validEmail(fields[3]) {
                found[.malformedEmail, default: 0] += 1
            } else if !fields[5].isEmpty && !Self.validBirthDate(fields[5]) {
                found[.impossibleBirthDate, default: 0] += 1
            } else if !Self.knownCountries.contains(fields[9]) {
                found[.unknownCountry, default: 0] += 1
            } else if fields[10] > fields[11] {
                found[.createdAfterUpdated, default: 0] += 1
            }
        }
        try expectCounts(found, in: .customers, summary: fixture.summary)
    }

    @Test func contactProblemsAreWhereTheSummarySays() throws {
        let fixture = try GeneratorFixture.load()
        var found: [GeneratedProblem: Int] = [:]
        var seen: Set<String> = []
        for raw in try fixture.rawRows(.contacts) {
            guard let object = try? JSONSerialization.jsonObject(with: raw) as? [String: Any] else {
                found[.invalidJSON, default: 0] += 1
                continue
            }
            let id = try #require(object["contact_id"] as? String)
            if !seen.insert(id).inserted {
                found[.duplicateKey, default: 0] += 1
            } else if let email = object["email"] as? String, !Self.validEmail(email) {
                found[.malformedEmail, default: 0] += 1
            } else if let country = object["country"] as? String, !Self.knownCountries.contains(country) {
                found[.unknownCountry, default: 0] += 1
            } else if let birthday = object["birthday"] as? String, !Self.validBirthday(birthday) {
                found[.badBirthday, default: 0] += 1
            }
        }
        try expectCounts(found, in: .contacts, summary: fixture.summary)
    }

    @Test func orderProblemsAreWhereTheSummarySays() throws {
        let fixture = try GeneratorFixture.load()
        let customers = Set(try fixture.csvRows(.customers).map(\.[0]))
        var found: [GeneratedProblem: Int] = [:]
        for row in try fixture.csvRows(.orders) {
            if !customers.contains(row[1]) {
                found[.unknownCustomer, default: 0] += 1
            } else if row[3].wholeMatch(of: /-\d+\.\d{2}/) != nil {
                found[.negativeAmount, default: 0] += 1
            } else if row[3].wholeMatch(of: /\d+\.\d{2}/) == nil {
                found[.nonNumericAmount, default: 0] += 1
            } else if !["GBP", "EUR", "USD"].contains(row[4]) {
                found[.unknownCurrency, default: 0] += 1
            }
        }
        try expectCounts(found, in: .orders, summary: fixture.summary)
    }

    @Test func campaignAndEventProblemsAreWhereTheSummarySays() throws {
        let fixture = try GeneratorFixture.load()
        var found: [GeneratedProblem: Int] = [:]
        let campaigns = try fixture.csvRows(.campaigns)
        for row in campaigns {
            if row[4] < row[3] {
                found[.endBeforeStart, default: 0] += 1
            } else if !["email", "paid_search", "social", "display", "sms"].contains(row[2]) {
                found[.unknownChannel, default: 0] += 1
            } else if row[5].hasPrefix("-") {
                found[.negativeBudget, default: 0] += 1
            }
        }
        try expectCounts(found, in: .campaigns, summary: fixture.summary)

        let campaignIDs = Set(campaigns.map(\.[0]))
        let contactSummary = try #require(fixture.summary.file(.contacts))
        let contactCount = contactSummary.rows - contactSummary.rows(with: .duplicateKey)
        found = [:]
        for row in try fixture.csvRows(.events) {
            let contact = Int(row[1].dropFirst()) ?? 0
            let timestamp = row[4].wholeMatch(of: /(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\dZ/)
            if contact < 1 || contact > contactCount {
                found[.unknownContact, default: 0] += 1
            } else if !campaignIDs.contains(row[2]) {
                found[.unknownCampaign, default: 0] += 1
            } else if !["sent", "open", "click", "conversion", "unsubscribe"].contains(row[3]) {
                found[.unknownEventType, default: 0] += 1
            } else if !row[5].isEmpty && row[3] != "conversion" {
                found[.revenueOnNonConversion, default: 0] += 1
            } else if let timestamp, let year = Int(timestamp.1), let month = Int(timestamp.2),
                let day = Int(timestamp.3), Self.validDate(year: year, month: month, day: day)
            {
                continue
            } else {
                found[.malformedTimestamp, default: 0] += 1
            }
        }
        try expectCounts(found, in: .events, summary: fixture.summary)
    }

    @Test(arguments: [GeneratedFile.customers, .orders, .contacts, .campaigns, .events])
    func problemRateIsNearTheOptionAndEveryKindOccurs(file: GeneratedFile) throws {
        let summary = try #require(try GeneratorFixture.load().summary.file(file))
        #expect((0.04...0.09).contains(summary.problemRate), "\(file): \(summary.problemRate)")
        let required = file == .campaigns ? [.endBeforeStart] : GeneratedProblem.kinds(in: file)
        for kind in required {
            #expect(summary.rows(with: kind) > 0, "\(file): no \(kind)")
        }
    }

    @Test func unknownContactsAreAboutThreePercentOfEvents() throws {
        let summary = try #require(try GeneratorFixture.load().summary.file(.events))
        let share = Double(summary.rows(with: .unknownContact)) / Double(summary.rows)
        #expect((0.02...0.04).contains(share), "\(share)")
    }

    @Test func jsonLinesParseExceptTheOneBrokenLine() throws {
        let fixture = try GeneratorFixture.load()
        let rows = try fixture.rawRows(.contacts)
        let broken = rows.indices.filter { (try? JSONSerialization.jsonObject(with: rows[$0])) == nil }
        #expect(broken.count == 1)
        if let index = broken.first {
            #expect(index > rows.count / 4 && index < rows.count * 3 / 4, "not in the middle")
            #expect(String(decoding: rows[index], as: UTF8.self).hasPrefix("{\"contact_id\":\"M"))
        }
        let keys = ["contact_id", "full_name", "email", "phone", "country", "birthday", "crm_customer_id",
                    "signup_source", "subscribed", "created"]
        let first = String(decoding: try #require(rows.first), as: UTF8.self)
        let positions = keys.compactMap { first.range(of: "\"\($0)\":")?.lowerBound }
        #expect(positions.count == keys.count && positions == positions.sorted(), "keys out of order")
    }
}
