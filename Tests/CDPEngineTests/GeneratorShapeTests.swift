import Foundation
import Testing

@testable import CDPEngine

@Suite struct GeneratorShapeTests {
    @Test func headersAreExactlyAsSpecified() throws {
        let fixture = try GeneratorFixture.load()
        let expected: [(GeneratedFile, String)] = [
            (.customers, "customer_id,first_name,last_name,email,phone,birth_date,street,city,postcode,country,created_at,updated_at,loyalty_tier,email_opt_in,sms_opt_in\r"),
            (.orders, "order_id,customer_id,order_date,amount,currency,status"),
            (.campaigns, "campaign_id,name,channel,start_date,end_date,budget,currency"),
            (.events, "event_id,contact_id,campaign_id,event_type,occurred_at,revenue"),
            (.truth, "source,record_id,entity_id"),
        ]
        for (file, header) in expected {
            let data = try fixture.data(file)
            let first = data.prefix { $0 != UInt8(ascii: "\n") }
            #expect(String(decoding: first, as: UTF8.self) == header, "\(file.relativePath)")
        }
    }

    @Test func rowCountsAreInExpectedRangesAndMatchTheSummary() throws {
        let fixture = try GeneratorFixture.load()
        let ranges: [(GeneratedFile, ClosedRange<Int>)] = [
            (.customers, 1950...2150), (.contacts, 1550...1750), (.orders, 4100...5500), (.campaigns, 40...40),
            (.events, 17_000...23_000),
        ]
        for (file, range) in ranges {
            let rows = try fixture.rawRows(file).count
            #expect(range.contains(rows), "\(file.relativePath): \(rows) rows")
            #expect(fixture.summary.file(file)?.rows == rows, "\(file.relativePath) summary disagrees")
            #expect(fixture.summary.file(file)?.bytes == (try fixture.data(file).count))
        }
        #expect(fixture.summary.people == fixture.summary.crmPeople + fixture.summary.marketingOnlyPeople)
    }

    @Test func onlyCustomersUseCRLF() throws {
        let fixture = try GeneratorFixture.load()
        let rows = try fixture.rawRows(.customers)
        // Every line but the truncated last one ends in CR LF.
        #expect(rows.dropLast().allSatisfy { $0.last == UInt8(ascii: "\r") })
        for file in GeneratedFile.allCases where file != .customers {
            #expect(!(try fixture.data(file)).contains(UInt8(ascii: "\r")), "\(file.relativePath) has a CR")
        }
    }

    @Test func customersHaveExactlyOneLatin1LineAndATruncatedLastLine() throws {
        let fixture = try GeneratorFixture.load()
        let data = try fixture.data(.customers)
        let rows = try fixture.rawRows(.customers)
        let invalid = rows.filter { String(data: $0, encoding: .utf8) == nil }
        #expect(invalid.count == 1)
        if let line = invalid.first {
            // Decoded as Latin-1: each byte is one scalar.
            let text = String(String.UnicodeScalarView(line.map { Unicode.Scalar($0) }))
            #expect(text.unicodeScalars.contains { $0.value >= 0xC0 && $0.value <= 0xFF }, "no accented Latin-1 letter")
            #expect(CSV.fields(text.trimmingCharacters(in: .newlines)).count == 15)
        }
        #expect(!data.suffix(2).elementsEqual([13, 10]))
        #expect(data.last != UInt8(ascii: "\n"))
        let last = String(decoding: try #require(rows.last), as: UTF8.self)
        #expect(CSV.fields(last).count < 15)
        #expect(last.hasPrefix("C"))
    }

    @Test func identifiersAndValuesHaveTheirFormats() throws {
        let fixture = try GeneratorFixture.load()
        let customers = try fixture.csvRows(.customers).dropLast()
        #expect(customers.allSatisfy { $0[0].wholeMatch(of: /C\d{7}/) != nil })
        #expect(customers.filter { $0.count == 15 }.allSatisfy {
            $0[10].wholeMatch(of: /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/) != nil && ["", "Y", "N"].contains($0[13])
                && ["", "bronze", "silver", "gold", "platinum"].contains($0[12])
        })
        // Some streets hold a comma and are quoted; the parser must still see 15 fields.
        #expect(customers.contains { $0.count == 15 && $0[6].contains(",") })
        let orders = try fixture.csvRows(.orders)
        #expect(orders.allSatisfy { $0[0].wholeMatch(of: /O\d{8}/) != nil && $0[2].wholeMatch(of: /\d{4}-\d{2}-\d{2}/) != nil })
        #expect(orders.filter { $0[5] == "completed" }.count > orders.count * 8 / 10)
        let events = try fixture.csvRows(.events)
        #expect(events.allSatisfy { $0[0].wholeMatch(of: /E\d{9}/) != nil && $0[1].wholeMatch(of: /M\d{7}/) != nil })
        let campaigns = try fixture.csvRows(.campaigns)
        #expect(campaigns.allSatisfy { $0[0].wholeMatch(of: /CMP\d{3}/) != nil })
        #expect(campaigns.contains { $0[5].isEmpty })
    }

    @Test func phonesAndCountriesComeInSeveralSpellings() throws {
        let fixture = try GeneratorFixture.load()
        let customers = try fixture.csvRows(.customers).filter { $0.count == 15 }
        let countries = customers.map(\.[9])
        for spelling in ["GB", "US", "DE", "FR", "ES", "IT", "NL", "IE"] {
            #expect(countries.contains(spelling), "no customer in \(spelling)")
        }
        #expect(countries.contains { $0.count > 3 }, "no country written as a name")
        let phones = customers.map(\.[4])
        #expect(phones.contains { $0.hasPrefix("+") })
        #expect(phones.contains { $0.wholeMatch(of: /\(\d{3}\) \d{3}-\d{4}/) != nil })
        #expect(phones.contains { $0.wholeMatch(of: /0\d{2,4} \d{3,4} ?\d{3,4}/) != nil })
    }

    @Test func eventsFollowAFunnelWithinCampaignDates() throws {
        let fixture = try GeneratorFixture.load()
        let events = try fixture.csvRows(.events)
        func count(_ type: String) -> Int { events.filter { $0[3] == type }.count }
        #expect(count("sent") > 2 * count("open"))
        #expect(count("open") > count("click"))
        #expect(count("click") > count("conversion"))
        #expect(count("conversion") > 0 && count("unsubscribe") > 0)
        var dates: [String: (String, String)] = [:]
        for row in try fixture.csvRows(.campaigns) { dates[row[0]] = (row[3], row[4]) }
        let clean = events.filter { row in
            guard dates[row[2]] != nil, let match = row[4].wholeMatch(of: /(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\dZ/),
                let year = Int(match.1), let month = Int(match.2), let day = Int(match.3)
            else { return false }
            return GeneratorProblemTests.validDate(year: year, month: month, day: day)
        }
        let outside = clean.filter { row in
            guard let (start, end) = dates[row[2]], start <= end else { return false }
            let day = String(row[4].prefix(10))
            return day < start || day > end
        }
        #expect(outside.isEmpty, "\(outside.count) events outside their campaign, e.g. \(outside.prefix(3))")
    }
}
