import Testing

@testable import CDPCore

@Suite struct MatchingComparatorTests {
    // Values from Winkler (1990) and the usual textbook examples, computed by hand.
    @Test(arguments: [
        ("martha", "marhta", 0.9611),
        ("dwayne", "duane", 0.8400),
        ("dixon", "dicksonx", 0.8133),
        ("jones", "johnson", 0.8323),
        ("abc", "abc", 1.0),
        ("abc", "xyz", 0.0),
        ("", "", 1.0),
    ])
    func jaroWinkler(_ a: String, _ b: String, _ expected: Double) {
        #expect(abs(StringSimilarity.jaroWinkler(a, b) - expected) < 0.0001)
        #expect(abs(StringSimilarity.jaroWinkler(b, a) - expected) < 0.0001)
    }

    @Test(arguments: [
        ("kitten", "sitting", 3), ("flaw", "lawn", 2), ("", "abc", 3), ("abc", "", 3), ("smith", "smith", 0),
        ("gumbo", "gambol", 2),
    ])
    func levenshtein(_ a: String, _ b: String, _ expected: Int) {
        #expect(StringSimilarity.levenshtein(a, b) == expected)
    }

    /// The textbook recursive definition, as an oracle on short random strings.
    static func recursiveLevenshtein(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        let cost = a.last == b.last ? 0 : 1
        return min(
            recursiveLevenshtein(Array(a.dropLast()), b) + 1, recursiveLevenshtein(a, Array(b.dropLast())) + 1,
            recursiveLevenshtein(Array(a.dropLast()), Array(b.dropLast())) + cost)
    }

    @Test func levenshteinAgreesWithTheRecursiveDefinition() {
        var random = SplitMix64(seed: 3)
        let letters = Array("abc")
        for _ in 0..<200 {
            let a = (0..<Int(random.next() % 6)).map { _ in letters[Int(random.next() % 3)] }
            let b = (0..<Int(random.next() % 6)).map { _ in letters[Int(random.next() % 3)] }
            #expect(StringSimilarity.levenshtein(String(a), String(b)) == Self.recursiveLevenshtein(a, b), "\(String(a)) vs \(String(b))")
        }
    }

    @Test(arguments: [
        ("Smith", "SM0"), ("Smyth", "SM0"), ("Knight", "NT"), ("Philips", "FLPS"), ("Phillips", "FLPS"),
        ("Schmidt", "SKMTT"), ("Müller", "MLR"), ("Mueller", "MLR"), ("Thompson", "0MPSN"),
    ])
    func metaphone(_ name: String, _ code: String) {
        #expect(PhoneticCode.metaphone(name) == code)
    }

    @Test func levelsAreTakenMostSpecificFirst() {
        let records = MatchRecords([
            MatchInput(source: "crm", sourceKey: "1", firstName: "Robert", lastName: "Smith", birthDate: "1980-03-04"),
            MatchInput(source: "crm", sourceKey: "2", firstName: "Bob", lastName: "Smyth", birthDate: "1980-04-03"),
            MatchInput(source: "crm", sourceKey: "3", firstName: "Roberta", lastName: nil, birthDate: "1980-03-20"),
        ])
        let first = Comparison(
            name: "first", tag: "FIRST", field: .firstName,
            levels: [.init(.null), .init(.exact), .init(.nickname), .init(.jaroWinkler, threshold: 0.9), .init(.else)])
        let last = Comparison(
            name: "last", tag: "SURNAME", field: .lastName,
            levels: [.init(.null), .init(.exact), .init(.phonetic), .init(.else)])
        let born = Comparison(
            name: "born", tag: "DOB", field: .birthDate,
            levels: [.init(.null), .init(.exact), .init(.dayMonthSwapped), .init(.withinDays, threshold: 30), .init(.else)])
        let comparator = PairComparator(comparisons: [first, last, born], records: records)
        #expect(comparator.level(first, 0, 1) == 2)  // Bob is a nickname of Robert
        #expect(comparator.level(first, 0, 2) == 3)  // Roberta: Jaro-Winkler 0.97
        #expect(comparator.level(last, 0, 1) == 2)  // Smith / Smyth sound alike
        #expect(comparator.level(last, 0, 2) == 0)  // missing
        #expect(comparator.level(born, 0, 1) == 2)  // day and month swapped
        #expect(comparator.level(born, 0, 2) == 3)  // 16 days apart
        #expect(comparator.level(born, 1, 2) == 3)  // 14 days apart
    }
}

@Suite struct MatchingKernelTests {
    @Test func theFastKernelGivesTheReferencePatterns() {
        let names = ["Robert", "Bob", "Roberta", "Ann", "Anne", "Zoë", "Jones", nil]
        let surnames = ["Smith", "Smyth", "Schmidt", "Jones", "Ann", nil]
        let dates = ["1980-03-04", "1980-04-03", "1980-03-20", "1975-01-01", nil]
        var inputs: [MatchInput] = []
        var random = SplitMix64(seed: 11)
        for index in 0..<60 {
            func pick<T>(_ values: [T]) -> T { values[Int(random.next() % UInt64(values.count))] }
            inputs.append(
                MatchInput(
                    source: "s", sourceKey: "\(index)", firstName: pick(names), lastName: pick(surnames),
                    email: pick(["a.b@x.com", "ab@x.com", "a.b@y.com", nil]), phone: pick(["+441234567890", "+441234567891", nil]),
                    birthDate: pick(dates), city: pick(["Leeds", "Leds", nil]), postcode: pick(["LS1 3PG", "LS13PG", nil])))
        }
        let records = MatchRecords(inputs)
        let template = MatchingModelTests.comparisons
        let comparisons = template + [
            Comparison(
                name: "first", tag: "F", field: .firstName,
                levels: [.init(.null), .init(.exact), .init(.nickname), .init(.jaroWinkler, threshold: 0.9), .init(.else)]),
            Comparison(
                name: "last", tag: "L", field: .lastName,
                levels: [.init(.null), .init(.exact), .init(.namesSwapped), .init(.phonetic), .init(.levenshtein, threshold: 2), .init(.else)]),
            Comparison(
                name: "born", tag: "B", field: .birthDate,
                levels: [.init(.null), .init(.exact), .init(.dayMonthSwapped), .init(.levenshtein, threshold: 1), .init(.withinDays, threshold: 30), .init(.else)]),
            Comparison(name: "email", tag: "E", field: .email, levels: [.init(.null), .init(.exact), .init(.emailLocalPart), .init(.else)]),
            Comparison(
                name: "city", tag: "C", field: .city, levels: [.init(.null), .init(.exact), .init(.jaroWinkler, threshold: 0.9), .init(.else)],
                given: "postcode"),
            Comparison(name: "postcode", tag: "P", field: .postcode, levels: [.init(.null), .init(.exact), .init(.else)], household: true),
        ]
        let comparator = PairComparator(comparisons: comparisons, records: records)
        let kernel = ComparisonKernel(comparator: comparator)
        for a in 0..<records.count {
            for b in (a + 1)..<records.count {
                #expect(kernel.pattern(a, b) == comparator.pattern(a, b), "records \(a), \(b)")
            }
        }
    }
}

extension MatchingComparatorTests {
    /// "Ann Lee" and "Lee Ann": a level of their own on the comparison that carries it, and a blocking key
    /// that puts them in one block (with the birth year) while "Ann Leigh" stays out.
    @Test func swappedNamesHaveALevelAndABlockingRule() {
        let records = MatchRecords([
            MatchInput(source: "crm", sourceKey: "1", firstName: "Ann", lastName: "Lee", birthDate: "1980-03-04"),
            MatchInput(source: "crm", sourceKey: "2", firstName: "Lee", lastName: "Ann", birthDate: "1980-03-04"),
            MatchInput(source: "crm", sourceKey: "3", firstName: "Ann", lastName: "Leigh", birthDate: "1980-03-04"),
            MatchInput(source: "crm", sourceKey: "4", firstName: "Ann", lastName: "Ann", birthDate: "1980-05-06"),
            MatchInput(source: "crm", sourceKey: "5", firstName: "LEE", lastName: "ann", birthDate: "1981-01-01"),
        ])
        let last = Comparison(
            name: "last", tag: "SURNAME", field: .lastName, levels: [.init(.null), .init(.exact), .init(.namesSwapped), .init(.else)])
        let comparator = PairComparator(comparisons: [last], records: records)
        #expect(comparator.level(last, 0, 1) == 2)
        #expect(comparator.level(last, 1, 0) == 2)
        #expect(comparator.level(last, 0, 4) == 2, "names are compared folded")
        #expect(comparator.level(last, 0, 2) == 3)
        #expect(comparator.level(last, 0, 3) == 3, "Ann Ann is not Lee Ann swapped")
        #expect(last.levels[2].label == "names swapped")

        let blocking = MatchingConfiguration.Blocking(rules: [BlockingRule(name: "swapped", keys: [.namesUnordered, .birthYear])], maxBlockSize: 10)
        let pairs = Blocker(records: records, blocking: blocking).candidatePairs().pairs
        #expect(pairs == [UInt64(0) << 32 | 1])
    }

    /// City given postcode: with the postcodes equal the city is not counted (taken as null), so a shared
    /// postcode and the city that goes with it are one piece of evidence, not two.
    @Test func aComparisonGivenAnotherIsNotCountedWhenTheOtherAgreesExactly() {
        let records = MatchRecords([
            MatchInput(source: "crm", sourceKey: "1", city: "Leeds", postcode: "LS1 3PG"),
            MatchInput(source: "crm", sourceKey: "2", city: "Leeds", postcode: "LS13PG"),
            MatchInput(source: "crm", sourceKey: "3", city: "Leeds", postcode: "LS2 7HY"),
            MatchInput(source: "crm", sourceKey: "4", city: "Leeds"),
        ])
        let postcode = Comparison(name: "postcode", tag: "POSTCODE", field: .postcode, levels: [.init(.null), .init(.exact), .init(.else)])
        let city = Comparison(name: "city", tag: "CITY", field: .city, levels: [.init(.null), .init(.exact), .init(.else)], given: "postcode")
        let comparator = PairComparator(comparisons: [postcode, city], records: records)
        let kernel = ComparisonKernel(comparator: comparator)
        for (a, b, expected) in [(0, 1, [1, 0]), (0, 2, [2, 1]), (0, 3, [0, 1])] {
            let pattern = comparator.pattern(a, b)
            #expect([0, 1].map { PairComparator.level(pattern, $0) } == expected, "records \(a), \(b)")
            #expect(kernel.pattern(a, b) == pattern)
        }
        let unknown = MatchingConfiguration(
            thresholds: .init(autoMerge: 0.99, review: 0.8), prior: nil,
            estimation: .init(randomPairs: 1000, emIterations: 10, convergence: 1e-9, seed: 1),
            stitching: .init(identifiers: [], maxRecordsPerValue: 4, crmSource: "crm"),
            blocking: .init(rules: [BlockingRule(name: "postcode", keys: [.postcode])], maxBlockSize: 60),
            comparisons: [postcode, Comparison(name: "city", tag: "CITY", field: .city, levels: city.levels, given: "zip")],
            clustering: .init(maxClusterSize: 8, minDensity: 0.5),
            survivorship: SurvivorshipPolicy(sourceOrder: ["crm"], rules: [:], defaultRule: .sourceOrder))
        #expect(unknown.problems().contains { $0.description.contains("comparisons[1].given") && $0.description.contains("'zip' is not another comparison's name") })
    }

    /// A landline or an address shared by two members of one family (the same surname, first names no level
    /// relates) says where they live, not who they are: household comparisons are not counted on such a pair,
    /// and are on any other. The kernel agrees.
    @Test func householdComparisonsAreNotCountedBetweenMembersOfOneFamily() {
        let records = MatchRecords([
            MatchInput(source: "crm", sourceKey: "1", firstName: "Ann", lastName: "Lee", phone: "+441234567890", postcode: "LS1 3PG"),
            MatchInput(source: "crm", sourceKey: "2", firstName: "Tom", lastName: "Lee", phone: "+441234567890", postcode: "LS1 3PG"),
            MatchInput(source: "crm", sourceKey: "3", firstName: "Anne", lastName: "Lee", phone: "+441234567890", postcode: "LS1 3PG"),
            MatchInput(source: "crm", sourceKey: "4", firstName: "Tom", lastName: "Kim", phone: "+441234567890", postcode: "LS1 3PG"),
            MatchInput(source: "crm", sourceKey: "5", firstName: "Sue", lastName: "Lee", email: "ann.lee@x.example", phone: "+441234567890"),
            MatchInput(source: "crm", sourceKey: "6", firstName: "Ann", lastName: "Lee", email: "ann.lee@x.example", phone: "+441234567890"),
        ])
        let first = Comparison(
            name: "first", tag: "FIRST", field: .firstName, levels: [.init(.null), .init(.exact), .init(.jaroWinkler, threshold: 0.8), .init(.else)])
        let last = Comparison(name: "last", tag: "SURNAME", field: .lastName, levels: [.init(.null), .init(.exact), .init(.else)])
        let phone = Comparison(name: "phone", tag: "PHONE", field: .phone, levels: [.init(.null), .init(.exact), .init(.else)], household: true)
        let postcode = Comparison(
            name: "postcode", tag: "POSTCODE", field: .postcode, levels: [.init(.null), .init(.exact), .init(.else)], household: true)
        let email = Comparison(name: "email", tag: "EMAIL", field: .email, levels: [.init(.null), .init(.exact), .init(.else)])
        let comparator = PairComparator(comparisons: [first, last, phone, postcode, email], records: records)
        let kernel = ComparisonKernel(comparator: comparator)
        // Ann and Tom Lee: a family, so their landline and postcode are not counted. Ann and Anne Lee: names a
        // level relates. Tom Lee and Tom Kim: different surnames. Sue and Ann Lee with one email: one person by a
        // nickname no level knows, so the landline counts.
        for (a, b, expected) in [(0, 1, [3, 1, 0, 0, 0]), (0, 2, [2, 1, 1, 1, 0]), (1, 3, [1, 2, 1, 1, 0]), (4, 5, [3, 1, 1, 0, 1])] {
            let pattern = comparator.pattern(a, b)
            #expect((0..<5).map { PairComparator.level(pattern, $0) } == expected, "records \(a), \(b)")
            #expect(kernel.pattern(a, b) == pattern)
        }
        // A surname one typo apart is still the family's (Tom Lees on Ann Lee's landline), once the comparison
        // has a close level.
        let typo = MatchRecords([
            MatchInput(source: "crm", sourceKey: "1", firstName: "Ann", lastName: "Lee", phone: "+441234567890", postcode: "LS1 3PG"),
            MatchInput(source: "crm", sourceKey: "2", firstName: "Tom", lastName: "Lees", phone: "+441234567890", postcode: "LS1 3PG"),
        ])
        let close = Comparison(
            name: "last", tag: "SURNAME", field: .lastName, levels: [.init(.null), .init(.exact), .init(.jaroWinkler, threshold: 0.92), .init(.else)])
        for (surname, expected) in [(close, [3, 2, 0, 0, 0]), (last, [3, 2, 1, 1, 0])] {
            let typoComparator = PairComparator(comparisons: [first, surname, phone, postcode, email], records: typo)
            let pattern = typoComparator.pattern(0, 1)
            #expect((0..<5).map { PairComparator.level(pattern, $0) } == expected)
            #expect(ComparisonKernel(comparator: typoComparator).pattern(0, 1) == pattern)
        }
        // Without comparisons to tell a family by, `household` is refused, naming the setting.
        let configuration = MatchingConfiguration(
            thresholds: .init(autoMerge: 0.99, review: 0.8), prior: nil,
            estimation: .init(randomPairs: 1000, emIterations: 10, convergence: 1e-9, seed: 1),
            stitching: .init(identifiers: [], maxRecordsPerValue: 4, crmSource: "crm"),
            blocking: .init(rules: [BlockingRule(name: "postcode", keys: [.postcode])], maxBlockSize: 60),
            comparisons: [last, phone],
            clustering: .init(maxClusterSize: 8, minDensity: 0.5),
            survivorship: SurvivorshipPolicy(sourceOrder: ["crm"], rules: [:], defaultRule: .sourceOrder))
        #expect(configuration.problems().contains { $0.description.contains("comparisons[1].household") && $0.description.contains("first_name") })
        var complete = configuration
        complete.comparisons = [first, last, phone]
        #expect(!complete.problems().contains { $0.description.contains("household") })
    }

    /// Every limit, one edit (its own single-pass check) included, against the full table.
    @Test func theBoundedCheckAgreesWithTheFullDistance() {
        var random = SplitMix64(seed: 5)
        let letters = Array("abcd".utf8)
        for _ in 0..<3_000 {
            let a = (0..<Int(random.next() % 7)).map { _ in letters[Int(random.next() % 4)] }
            let b = (0..<Int(random.next() % 7)).map { _ in letters[Int(random.next() % 4)] }
            let limit = Int(random.next() % 3)
            a.withUnsafeBufferPointer { x in
                b.withUnsafeBufferPointer { y in
                    #expect(StringSimilarity.isWithinEditDistance(x, y, limit) == (StringSimilarity.levenshtein(x, y) <= limit))
                }
            }
        }
    }
}

extension MatchingComparatorTests {
    @Test(arguments: [
        ("1985-03-12", "1985-03-21", false), ("1985-03-12", "1985-03-13", true), ("ab", "ba", false), ("abc", "ac", true),
        ("abc", "abcd", true), ("abc", "xabc", true), ("abc", "abxd", false), ("", "a", true), ("", "", true), ("a", "", true),
        ("LS13PG", "LS13PG", true), ("LS13PG", "LS1 3PG", true), ("LS13PG", "LS1 3PH", false),
    ])
    func oneEditIsFoundInOnePass(a: String, b: String, within: Bool) {
        StringSimilarity.withBytes(a, b) { x, y in
            #expect(StringSimilarity.isWithinOneEdit(x, y) == within)
            #expect(StringSimilarity.isWithinOneEdit(y, x) == within)
            #expect(StringSimilarity.isWithinEditDistance(x, y, 1) == within)
        }
    }
}

extension MatchingComparatorTests {
    @Test(arguments: [
        ("jane.doe+shop@example.com", "janedoe"), ("JD@x.org", "JD"), ("no-at-sign", nil),
    ] as [(String, String?)])
    func emailLocalPart(_ address: String, _ local: String?) {
        #expect(MatchRecords.emailLocalPart(address) == local)
    }

    @Test func postcodesAndPhonesAreNormalisedForBlocking() {
        #expect(MatchRecords.postcodeKey("ls1 3pg") == "LS13PG")
        #expect(MatchRecords.postcodeKey("ÉÉ-1") == "ÉÉ1")
        #expect(MatchRecords.lastSevenDigits("+44 7700 900123") == "0900123")
        #expect(MatchRecords.lastSevenDigits("+4412") == nil)
    }
}
