import Foundation

/// A person's name split into parts, each cleaned and cased.
public struct PersonName: Sendable, Hashable, Codable {
    public var given: String?
    public var middle: String?
    public var family: String?
    /// "Jr", "III", "PhD" … when written after the name.
    public var suffix: String?

    public init(given: String?, middle: String? = nil, family: String?, suffix: String? = nil) {
        self.given = given
        self.middle = middle
        self.family = family
        self.suffix = suffix
    }

    /// Cleans one name or name part: trims, collapses whitespace, composes to Unicode NFC and, when
    /// the text is ALL CAPS or all lower case, title-cases it ("o'neil" → "O'Neil", "jean-luc" →
    /// "Jean-Luc", "van der berg" → "van der Berg", "mcdonald" → "McDonald"). Mixed case is kept.
    public static func standardize(_ raw: String) -> StandardizationOutcome<String> {
        guard let cleaned = clean(raw) else {
            return .rejected(StandardizationFailure(kind: .personName, input: raw, reason: "name is empty"))
        }
        if let problem = problem(cleaned) {
            return .rejected(StandardizationFailure(kind: .personName, input: raw, reason: problem))
        }
        return .standardized(fixCase(cleaned))
    }

    /// Splits a full name into given, middle and family names and cleans each.
    ///
    /// "Smith, John" → John / Smith; "John A. Smith" → John / A. / Smith; "Dr. Jane Doe" drops the
    /// title; particles stay with the family name ("Ludwig van Beethoven" → Ludwig / van Beethoven);
    /// a single word is a given name.
    public static func split(_ raw: String) -> StandardizationOutcome<PersonName> {
        func reject(_ reason: String) -> StandardizationOutcome<PersonName> {
            .rejected(StandardizationFailure(kind: .personName, input: raw, reason: reason))
        }
        guard let cleaned = clean(raw) else { return reject("name is empty") }
        if let problem = problem(cleaned) { return reject(problem) }
        let cased = fixCase(cleaned)

        var familyWords: [Substring] = []
        var words: [Substring]
        if let comma = cased.firstIndex(of: ",") {
            familyWords = cased[..<comma].split(separator: " ")
            words = cased[cased.index(after: comma)...].split(separator: " ")
        } else {
            words = cased.split(separator: " ")
        }
        while let first = words.first, titles.contains(wordKey(first)), words.count + familyWords.count > 1 {
            words.removeFirst()
        }
        if let first = familyWords.first, titles.contains(wordKey(first)), familyWords.count > 1 {
            familyWords.removeFirst()
        }
        var suffix: String?
        if let last = words.last, suffixes.contains(wordKey(last)), words.count + familyWords.count > 1 {
            suffix = String(last)
            words.removeLast()
        }
        if familyWords.isEmpty && words.count >= 2 {
            // The family name is the last word plus the particles before it.
            var start = words.count - 1
            while start > 1 && particles.contains(words[start - 1].lowercased()) { start -= 1 }
            familyWords = Array(words[start...])
            words.removeSubrange(start...)
        }
        if words.isEmpty && familyWords.isEmpty { return reject("'\(cleaned)' has no name besides a title or suffix") }
        let given = words.first.map(String.init)
        let middle = words.count > 1 ? words.dropFirst().joined(separator: " ") : nil
        let family = familyWords.isEmpty ? nil : familyWords.joined(separator: " ")
        return .standardized(PersonName(given: given, middle: middle, family: family, suffix: suffix))
    }

    /// A key for comparing names: lower case, accents removed, everything but letters dropped
    /// ("O'Néill-Smith" → "oneillsmith").
    public static func foldedKey(_ name: String) -> String {
        var ascii = true
        var needsWork = false
        for b in name.utf8 {
            if b >= 0x80 {
                ascii = false
                break
            }
            if !(b >= 0x61 && b <= 0x7A) { needsWork = true }
        }
        if ascii {
            if !needsWork { return name }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(name.utf8.count)
            for b in name.utf8 {
                let lower = b | 0x20
                if lower >= 0x61 && lower <= 0x7A && (b >= 0x41) { bytes.append(lower) }
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        var result = String.UnicodeScalarView()
        for scalar in TextNormalization.foldAccents(name).lowercased().unicodeScalars where scalar.properties.isAlphabetic {
            result.append(scalar)
        }
        return String(result)
    }

    // MARK: - Cleaning and casing

    private static func clean(_ raw: String) -> String? {
        guard let collapsed = TextNormalization.clean(raw) else { return nil }
        if collapsed.utf8.allSatisfy({ $0 < 0x80 }) { return collapsed }
        return collapsed.precomposedStringWithCanonicalMapping
    }

    private static func problem(_ name: String) -> String? {
        if name.utf8.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) { return "'\(name)' contains digits" }
        if !name.unicodeScalars.contains(where: { $0.properties.isAlphabetic }) { return "'\(name)' has no letters" }
        return nil
    }

    /// Title-cases a name that is entirely upper or entirely lower case; leaves mixed case alone.
    static func fixCase(_ name: String) -> String {
        var hasUpper = false
        var hasLower = false
        for scalar in name.unicodeScalars {
            let properties = scalar.properties
            if properties.isUppercase { hasUpper = true } else if properties.isLowercase { hasLower = true }
            if hasUpper && hasLower { return name }
        }
        let words = name.lowercased().split(separator: " ", omittingEmptySubsequences: true)
        var result: [String] = []
        result.reserveCapacity(words.count)
        for (index, word) in words.enumerated() {
            if words.count > 1 && index < words.count - 1 && particles.contains(String(word)) {
                result.append(String(word))
            } else {
                result.append(titleCaseWord(word))
            }
        }
        return result.joined(separator: " ")
    }

    /// "o'neil" → "O'Neil", "jean-luc" → "Jean-Luc", "mcdonald" → "McDonald".
    private static func titleCaseWord(_ word: Substring) -> String {
        var output = ""
        output.reserveCapacity(word.utf8.count)
        var capitalizeNext = true
        var segment: [Character] = []
        func flush(_ segment: [Character]) {
            // The first letter is already raised, so "mcdonald" arrives here as "Mcdonald".
            if segment.count > 2, segment[0] == "M", segment[1] == "c" {
                output += "Mc" + String(segment[2]).uppercased() + String(segment[3...])
            } else {
                output += String(segment)
            }
        }
        for character in word {
            if character == "-" || character == "'" || character == "’" {
                let isShortPrefix = character != "-" && segment.count == 1  // O'Neil, D'Angelo
                flush(segment)
                segment.removeAll()
                output.append(character)
                capitalizeNext = character == "-" || isShortPrefix
                continue
            }
            if capitalizeNext {
                segment.append(contentsOf: String(character).uppercased())
                capitalizeNext = false
            } else {
                segment.append(character)
            }
        }
        flush(segment)
        return output
    }

    private static func wordKey(_ word: Substring) -> String {
        word.lowercased().filter { $0 != "." }
    }

    /// Lower-case name particles that belong with the family name.
    static let particles: Set<String> = [
        "van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "das", "du", "la", "le", "ter", "ten", "zu", "bin", "ibn",
    ]

    private static let titles: Set<String> = [
        "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "rev", "revd", "lord", "lady", "fr", "sr", "sra", "herr", "frau",
    ]

    private static let suffixes: Set<String> = ["jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "obe", "mbe", "cbe"]
}
