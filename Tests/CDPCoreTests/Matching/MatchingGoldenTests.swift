import Foundation
import Testing

@testable import CDPCore

/// The column-wise golden records against the reference `Survivorship.goldenAttributes` and its JSON.
@Suite struct MatchingGoldenTests {
    /// Records with few distinct values (so rules tie and tie-breaks matter), text that needs escaping, a
    /// source missing from the trust order, and update times missing, equal, or non-ASCII.
    static func randomRecords(_ count: Int, seed: UInt64) -> MatchRecords {
        var random = SplitMix64(seed: seed)
        func pick<T>(_ values: [T]) -> T { values[Int(random.next() % UInt64(values.count))] }
        let inputs = (0..<count).map { index in
            MatchInput(
                source: pick(["crm", "web", "shop"]), sourceKey: pick(["K\(index)", "K\"\(index)\\", "K\(index)\n"]),
                firstName: pick(["Ann", "Anne", "Zoë", "Ann", nil]), lastName: pick(["Smith", "O\"Brien", "Back\\slash", nil]),
                email: pick(["a@x.com", "b@x.com", nil]), phone: pick(["+441", "+442", nil]), birthDate: pick(["1980-01-02", "1980-02-01", nil]),
                street: pick(["1 Long Street", "1 Long St", "Tab\tStreet", "Ünter Straße", nil]), city: pick(["Leeds", "York", "\u{01}odd", nil]),
                postcode: pick(["LS1", "YO1", nil]), country: pick(["GB", "IE", nil]),
                updatedAt: pick(["2024-01-01T00:00:00Z", "2023-06-01T00:00:00Z", "2024-01-01T00:00:00Z", "2024-é", nil]))
        }
        return MatchRecords(inputs)
    }

    static let policies: [SurvivorshipPolicy] = SurvivorshipRule.allCases.map { rule in
        SurvivorshipPolicy(
            sourceOrder: ["crm", "web"], rules: ["first_name": .mostFrequent, "street": .mostComplete, "email": .mostRecent], defaultRule: rule)
    }

    /// Random clusters of 1 to 6 records, as labels (each cluster's smallest record).
    static func randomLabels(_ count: Int, seed: UInt64) -> [Int32] {
        var random = SplitMix64(seed: seed)
        var labels = (0..<count).map { Int32($0) }
        for record in 0..<count where random.next() % 3 != 0 {
            let partner = Int(random.next() % UInt64(count))
            let (low, high) = (min(record, partner), max(record, partner))
            let target = labels[low]
            let source = labels[high]
            for index in 0..<count where labels[index] == source { labels[index] = target }
        }
        // Relabel to the smallest member.
        var smallest: [Int32: Int32] = [:]
        for (record, label) in labels.enumerated() where smallest[label] == nil { smallest[label] = Int32(record) }
        return labels.map { smallest[$0]! }
    }

    @Test(arguments: 0..<SurvivorshipRule.allCases.count)
    func theColumnKernelChoosesWhatTheReferenceChooses(policyIndex: Int) {
        let records = Self.randomRecords(300, seed: UInt64(policyIndex + 1))
        let labels = Self.randomLabels(records.count, seed: UInt64(policyIndex + 100))
        let policy = Self.policies[policyIndex]
        let survivorship = Survivorship(policy: policy, records: records)
        let set = GoldenRecordSet(clusterOf: labels, survivorship: survivorship, threads: 2)
        #expect(set.count == Set(labels).count)
        #expect(set.members.count == records.count)
        let writer = GoldenJSONWriter(set: set, records: records, policy: policy)
        var buffer: [UInt8] = []
        writer.withCursor { cursor in
            for cluster in 0..<set.count {
                let members = set.members(of: cluster).map { Int($0) }
                #expect(members == members.sorted())
                #expect(members.allSatisfy { labels[$0] == Int32(members[0]) })
                let overrides: [String: String]? = cluster % 7 == 0 ? ["city": "Over\"ride", "country": "FR"] : nil
                let reference = survivorship.goldenAttributes(members, overrides: overrides ?? [:])
                cursor.write(cluster: cluster, overrides: overrides, into: &buffer)
                #expect(String(decoding: buffer, as: UTF8.self) == GoldenAttribute.json(reference), "cluster \(members)")
            }
        }
    }

    @Test func recordsAreFoundBySourceAndKeyBytes() {
        let records = MatchRecords([
            MatchInput(source: "crm", sourceKey: "C1"), MatchInput(source: "web", sourceKey: "C1"), MatchInput(source: "crm", sourceKey: "Zoë"),
            MatchInput(source: "crm", sourceKey: "C1"),
        ])
        let index = SourceRecordIndex(records)
        // A key held twice keeps the last record, as a dictionary would.
        #expect(index[SourceRecordID(source: "crm", key: "C1")] == 3)
        #expect(index[SourceRecordID(source: "web", key: "C1")] == 1)
        #expect(index[SourceRecordID(source: "crm", key: "Zoë")] == 2)
        #expect(index[SourceRecordID(source: "crm", key: "C2")] == nil)
        #expect(index[SourceRecordID(source: "shop", key: "C1")] == nil)
        let many = MatchRecords((0..<5_000).map { MatchInput(source: $0 % 2 == 0 ? "a" : "b", sourceKey: "K\($0 / 2)") })
        let manyIndex = SourceRecordIndex(many)
        #expect((0..<many.count).allSatisfy { manyIndex[many.id(of: $0)] == Int32($0) })
    }

    @Test func theHandWrittenExplanationIsWhatJSONEncoderWrites() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var random = SplitMix64(seed: 3)
        func number() -> Double {
            let magnitude = pow(10, Double(Int(random.next() % 30)) - 15)
            return (Double(random.next() % 2_000_001) / 1_000_000 - 1) * magnitude
        }
        for round in 0..<300 {
            let terms = (0..<Int(random.next() % 8)).map { index in
                MatchExplanation.Term(
                    comparison: ["first name", "a \"quoted\"\tname", "back\\slash/\u{01}\u{08}\u{0C}"][index % 3], tag: "T\(index)", level: index,
                    label: ["exact", "Jaro-Winkler ≥ 0.92", "≤ 1 edits"][index % 3], weight: round == 0 ? 2 : number(),
                    termFrequencyAdjustment: index % 2 == 0 ? number() : nil)
            }
            let explanation = MatchExplanation(terms: terms, priorWeight: number(), totalWeight: number(), probability: abs(number()))
            let encoded = String(decoding: try encoder.encode(explanation), as: UTF8.self)
            #expect(explanation.json == encoded)
        }
    }

    @Test func rangesCoverEveryIndexOnce() {
        for count in [0, 1, 2, 7, 100] {
            for parts in [1, 2, 3, 8] {
                let ranges = Parallel.ranges(count: count, parts: parts)
                #expect(ranges.flatMap { Array($0) } == Array(0..<count))
                #expect(ranges.count <= parts)
            }
        }
    }
}

/// Records read column by column from bytes against records built from `MatchInput`s.
@Suite struct MatchingColumnLoadTests {
    static func expectSame(_ a: InternedColumn, _ b: InternedColumn, _ name: String) {
        #expect(a.ids == b.ids, "\(name) ids")
        #expect(a.values == b.values, "\(name) values")
        #expect(a.counts == b.counts, "\(name) counts")
        #expect(a.rawParts().bytes == b.rawParts().bytes, "\(name) bytes")
        #expect(a.rawParts().offsets == b.rawParts().offsets, "\(name) offsets")
    }

    @Test func interningBytesGivesWhatInterningStringsGives() {
        // Canonically equal spellings (precomposed and combining é, the Kelvin sign and K, the Greek
        // question mark and `;`) share an id under String equality, in either order of arrival.
        let pool: [String?] = [
            "Zoë", "Zoe\u{308}", "K", "\u{212A}", "\u{212A}elvin", "Kelvin", ";", "\u{37E}", "ab", "ab", "", nil, "a\u{0}b", "東京", "Ann", "Anne",
        ]
        var random = SplitMix64(seed: 9)
        for round in 0..<20 {
            let values = (0..<(200 + round * 50)).map { _ in pool[Int(random.next() % UInt64(pool.count))] }
            var builder = InternedColumn.Builder()
            // The builder sees what GRDB would read: text cut at a NUL.
            for value in values { builder.append(value.map { String($0.prefix { $0 != "\u{0}" }) }) }
            Self.expectSame(InternedColumn(interning: TextColumn(values)), builder.build(), "round \(round)")
        }
        // Enough distinct values to grow the table several times.
        let many = (0..<20_000).map { "value-\($0 % 7_000)" as String? }
        var builder = InternedColumn.Builder()
        for value in many { builder.append(value) }
        Self.expectSame(InternedColumn(interning: TextColumn(many)), builder.build(), "many")
    }

    @Test func recordsReadAsColumnsEqualRecordsBuiltFromInputs() {
        var random = SplitMix64(seed: 4)
        func pick<T>(_ values: [T]) -> T { values[Int(random.next() % UInt64(values.count))] }
        let inputs = (0..<2_000).map { index in
            MatchInput(
                source: pick(["crm_customers", "marketing_contacts"]), sourceKey: "K\(index % 1_500)",
                firstName: pick(["Mary-Kate", "John \"Jack\"", "Bob", "Zoë", nil]), lastName: pick(["Smith", "Smyth", "Ó Briain", nil]),
                email: pick(["jane.doe+shop@x.com", "janedoe@y.com", "x@z", nil]), phone: pick(["+441234567890", "+12345", nil]),
                birthDate: pick(["1980-03-04", "1980-04-03", "not a date", nil]), street: pick(["1 High St", nil]),
                city: pick(["Leeds", "LEEDS", nil]), postcode: pick(["ls1 3pg", "LS13PG", nil]), country: pick(["GB", nil]),
                crmCustomerID: pick(["K1", nil]), updatedAt: pick(["2024-01-01T00:00:00Z", nil]))
        }
        var columns = MatchColumns()
        for input in inputs {
            var source = input.source.rawValue
            let index = source.withUTF8 { columns.sourceIndex(of: $0) }
            columns.sourceIndex.append(index)
        }
        columns.keys = TextColumn(inputs.map(\.sourceKey))
        columns.firstName = TextColumn(inputs.map(\.firstName))
        columns.lastName = TextColumn(inputs.map(\.lastName))
        columns.email = TextColumn(inputs.map(\.email))
        columns.phone = TextColumn(inputs.map(\.phone))
        columns.birthDate = TextColumn(inputs.map(\.birthDate))
        columns.street = TextColumn(inputs.map(\.street))
        columns.city = TextColumn(inputs.map(\.city))
        columns.postcode = TextColumn(inputs.map(\.postcode))
        columns.country = TextColumn(inputs.map(\.country))
        columns.crmCustomerID = TextColumn(inputs.map(\.crmCustomerID))
        columns.updatedAt = TextColumn(inputs.map(\.updatedAt))
        let expected = MatchRecords(inputs)
        for threads in [1, 2] {
            let records = MatchRecords(columns, threads: threads)
            #expect(records.sources == expected.sources)
            #expect(records.sourceIndex == expected.sourceIndex)
            #expect(records.keys == expected.keys)
            let pairs: [(KeyPath<MatchRecords, InternedColumn>, String)] = [
                (\.firstName, "firstName"), (\.lastName, "lastName"), (\.email, "email"), (\.phone, "phone"), (\.birthDate, "birthDate"),
                (\.street, "street"), (\.city, "city"), (\.postcode, "postcode"), (\.country, "country"), (\.crmCustomerID, "crm"),
                (\.updatedAt, "updatedAt"), (\.firstKey, "firstKey"), (\.firstCanonical, "firstCanonical"), (\.lastKey, "lastKey"),
                (\.lastPhonetic, "lastPhonetic"), (\.emailLocalPart, "emailLocalPart"), (\.postcodeKey, "postcodeKey"), (\.cityKey, "cityKey"),
                (\.phoneLastDigits, "phoneLastDigits"),
            ]
            for (path, name) in pairs { Self.expectSame(records[keyPath: path], expected[keyPath: path], name) }
            #expect(records.birthDays == expected.birthDays)
            #expect(records.birthDates == expected.birthDates)
        }
    }
}
