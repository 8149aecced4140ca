import Testing
@testable import CDPCore

@Suite struct PersonNameTests {
    @Test(arguments: [
        ("  jane   doe ", "Jane Doe"),
        ("JOHN SMITH", "John Smith"),
        ("o'neil", "O'Neil"),
        ("D'ANGELO", "D'Angelo"),
        ("jean-luc", "Jean-Luc"),
        ("van der berg", "van der Berg"),
        ("mcdonald", "McDonald"),
        ("MARY-KATE MCBRIDE", "Mary-Kate McBride"),
        ("renée", "Renée"),
        ("ZOË", "Zoë"),
        ("McDonald", "McDonald"),
        ("DeShawn", "DeShawn"),
        ("de la cruz", "de la Cruz"),
        ("van", "Van"),
        ("Rene\u{0301}e", "Ren\u{00E9}e"),
    ])
    func standardizesNames(_ raw: String, _ expected: String) {
        let value = PersonName.standardize(raw).value
        #expect(value == expected)
        #expect(value.map { Array($0.unicodeScalars) } == Array(expected.unicodeScalars))
    }

    @Test(arguments: [
        ("", "name is empty"),
        ("   ", "name is empty"),
        ("J0hn", "'J0hn' contains digits"),
        ("--", "'--' has no letters"),
    ])
    func rejectsNames(_ raw: String, _ reason: String) {
        #expect(PersonName.standardize(raw).failure?.reason == reason)
    }

    @Test(arguments: [
        ("Smith, John", "John", nil, "Smith", nil),
        ("John A. Smith", "John", "A.", "Smith", nil),
        ("Dr. Jane Doe", "Jane", nil, "Doe", nil),
        ("Mrs Jane Doe", "Jane", nil, "Doe", nil),
        ("Madonna", "Madonna", nil, nil, nil),
        ("JOHN SMITH JR.", "John", nil, "Smith", "Jr."),
        ("ludwig van beethoven", "Ludwig", nil, "van Beethoven", nil),
        ("Jan van der Berg", "Jan", nil, "van der Berg", nil),
        ("SMITH, JOHN ALAN", "John", "Alan", "Smith", nil),
        ("Mary Jane Watson", "Mary", "Jane", "Watson", nil),
        ("Dr", "Dr", nil, nil, nil),
        ("ŁUKASZ KOWALCZYK", "Łukasz", nil, "Kowalczyk", nil),
        ("Núñez, José María", "José", "María", "Núñez", nil),
        ("DR. ÉMILE ZOLA", "Émile", nil, "Zola", nil),
        ("zoë de la cruz", "Zoë", nil, "de la Cruz", nil),
        ("  Sean   O'Brien  ", "Sean", nil, "O'Brien", nil),
        ("Smith,John", "John", nil, "Smith", nil),
    ] as [(String, String?, String?, String?, String?)])
    func splitsFullNames(_ raw: String, _ given: String?, _ middle: String?, _ family: String?, _ suffix: String?) {
        let name = PersonName.split(raw).value
        #expect(name == PersonName(given: given, middle: middle, family: family, suffix: suffix))
    }

    @Test func splitRejectsEmpty() {
        #expect(PersonName.split("  ").failure?.reason == "name is empty")
    }

    @Test(arguments: [
        ("O'Néill-Smith", "oneillsmith"), ("Zoë", "zoe"), ("  Jane ", "jane"), ("jane", "jane"),
        ("Müller", "muller"), ("Straße", "strasse"), ("Łukasz", "lukasz"), ("Jean Luc", "jeanluc"),
    ])
    func foldedKeys(_ raw: String, _ expected: String) {
        #expect(PersonName.foldedKey(raw) == expected)
    }
}

@Suite struct TextNormalizationTests {
    @Test(arguments: [
        ("  a  b\t\nc ", "a b c" as String?), ("", nil), (" \t ", nil), ("abc", "abc"),
        ("a\u{00A0}\u{00A0}b", "a b"), ("é  x", "é x"),
    ])
    func cleans(_ raw: String, _ expected: String?) {
        #expect(TextNormalization.clean(raw) == expected)
    }

    @Test(arguments: [("Renée", "Renee"), ("ÅNGSTRÖM", "ANGSTROM"), ("Straße", "Strasse"), ("Ærø", "AEro"), ("plain", "plain")])
    func foldsAccents(_ raw: String, _ expected: String) {
        #expect(TextNormalization.foldAccents(raw) == expected)
    }
}

@Suite struct NicknamesTests {
    @Test(arguments: [
        ("Bob", "robert"), ("ROBERT", "robert"), ("bobby", "robert"), ("Bill", "william"), ("Liam", "william"),
        ("Liz", "elizabeth"), ("Betty", "elizabeth"), ("Eliza", "elizabeth"), ("Peggy", "margaret"),
        ("Zoë", "zoe"), ("Xavier", "xavier"), ("Alex", "alexander"), ("Alexandra", "alexandra"),
    ])
    func canonicalNames(_ given: String, _ expected: String) {
        #expect(Nicknames.canonical(given) == expected)
    }

    @Test(arguments: [
        ("Bob", "Robert", true), ("Bobby", "Rob", true), ("Bill", "Will", true), ("Liz", "Beth", true),
        ("Alex", "Alexandra", true), ("Alex", "Alexander", true), ("Alexander", "Alexandra", false),
        ("Robert", "William", false), ("Zoe", "Zoë", true), ("Xavi", "Xavier", false), ("", "", false),
        ("Peggy", "Margaret", true), ("Jack", "John", true),
    ])
    func equivalence(_ a: String, _ b: String, _ expected: Bool) {
        #expect(Nicknames.areEquivalent(a, b) == expected)
        #expect(Nicknames.areEquivalent(b, a) == expected)
    }

    /// Diminutives of other languages: each pair is the same person's name, and without the other languages'
    /// tables each would land on the first-name comparison's `else` level.
    @Test(arguments: [
        ("Pepe", "José"), ("Paco", "Francisco"), ("Lola", "Dolores"), ("Nacho", "Ignacio"), ("Zé", "José"), ("Chico", "Francisco"),
        ("Sepp", "Josef"), ("Fritz", "Friedrich"), ("Uschi", "Ursula"), ("Fanny", "Françoise"), ("Manolo", "Manuel"),
        ("Gianni", "Giovanni"), ("Beppe", "Giuseppe"), ("Wim", "Willem"), ("Kees", "Cornelis"), ("Kuba", "Jakub"),
        ("Gosia", "Małgorzata"), ("Tomek", "Tomasz"),
    ])
    func otherLanguagesDiminutives(_ short: String, _ formal: String) {
        #expect(Nicknames.canonical(short) == Nicknames.canonical(formal))
        #expect(Nicknames.areEquivalent(short, formal))
    }

    /// A short form the English table lists keeps its English reading when another language lists it too.
    @Test(arguments: [("Toni", "antonia"), ("Jan", "janet"), ("Max", "maximilian"), ("Anna", "hannah")])
    func englishReadingComesFirst(_ short: String, _ canonical: String) {
        #expect(Nicknames.canonical(short) == canonical)
    }

    @Test func tableSizeAndLookups() {
        #expect(Nicknames.groups.count >= 150)
        #expect(Nicknames.formalName("bobby") == "Robert")
        #expect(Nicknames.formalName("Xavier") == nil)
        #expect(Nicknames.variants(of: "Bob").contains("Robbie"))
        let formal = Nicknames.groups.map(\.formal)
        #expect(Set(formal).count == formal.count)
    }
}
