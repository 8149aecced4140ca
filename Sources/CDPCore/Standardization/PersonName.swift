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
        // Fast path: clean ASCII (no stray whitespace) in one pass over the bytes.
        let flags = TextNormalization.withBytes(raw) { bytes -> UInt8 in
            var flags: UInt8 = 0
            var previousSpace = true
            for b in bytes {
                if b >= 0x80 { return fastPathUnavailable }
                let space = TextNormalization.isASCIISpace(b)
                if space && (previousSpace || b != 0x20) { return fastPathUnavailable }
                previousSpace = space
                if b >= 0x41 && b <= 0x5A {
                    flags |= sawUpper | sawLetter
                } else if b >= 0x61 && b <= 0x7A {
                    flags |= sawLower | sawLetter
                } else if b >= 0x30 && b <= 0x39 {
                    flags |= sawDigit
                }
            }
            return previousSpace ? fastPathUnavailable : flags
        }
        if flags != fastPathUnavailable && flags & sawDigit == 0 && flags & sawLetter != 0 {
            return .standardized(flags & sawUpper != 0 && flags & sawLower != 0 ? raw : asciiTitleCase(raw))
        }
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
        // By bytes: the comma and the single spaces cleaning left are ASCII, and stepping by characters
        // (grapheme breaking) took a third of a marketing contact's standardisation.
        if let comma = cased.utf8.firstIndex(of: UInt8(ascii: ",")) {
            familyWords = spaceSeparatedWords(cased[..<comma])
            words = spaceSeparatedWords(cased[cased.utf8.index(after: comma)...])
        } else {
            words = spaceSeparatedWords(cased[...])
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
            while start > 1 && particles.contains(wordKey(words[start - 1], droppingDots: false)) { start -= 1 }
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
        let utf8 = name.utf8
        if utf8.allSatisfy({ $0 < 0x80 }) {
            if utf8.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A }) { return name }
            return asciiLetterKey(utf8)
        }
        let folded = TextNormalization.foldAccents(name)
        if folded.utf8.allSatisfy({ $0 < 0x80 }) { return asciiLetterKey(folded.utf8) }
        var result = String.UnicodeScalarView()
        for scalar in folded.lowercased().unicodeScalars where scalar.properties.isAlphabetic {
            result.append(scalar)
        }
        return String(result)
    }

    /// Lower-case ASCII letters of `utf8`, everything else dropped.
    private static func asciiLetterKey(_ utf8: String.UTF8View) -> String {
        String(unsafeUninitializedCapacity: utf8.count) { buffer in
            var count = 0
            for b in utf8 {
                let lower = b | 0x20
                if b >= 0x41 && lower >= 0x61 && lower <= 0x7A {
                    buffer[count] = lower
                    count += 1
                }
            }
            return count
        }
    }

    // MARK: - Cleaning and casing

    private static let fastPathUnavailable: UInt8 = 0xFF
    private static let sawUpper: UInt8 = 1
    private static let sawLower: UInt8 = 2
    private static let sawLetter: UInt8 = 4
    private static let sawDigit: UInt8 = 8

    private static func clean(_ raw: String) -> String? {
        guard let collapsed = TextNormalization.clean(raw) else { return nil }
        // Text below U+0300 has no combining marks and is already in NFC.
        if collapsed.utf8.allSatisfy({ $0 < 0x80 }) || collapsed.unicodeScalars.allSatisfy({ $0.value < 0x300 }) {
            return collapsed
        }
        return collapsed.precomposedStringWithCanonicalMapping
    }

    private static func problem(_ name: String) -> String? {
        var hasLetter = false
        for b in name.utf8 {
            if b >= 0x30 && b <= 0x39 { return "'\(name)' contains digits" }
            if (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A { hasLetter = true }
        }
        if !hasLetter && !name.unicodeScalars.contains(where: { $0.value >= 0x80 && $0.properties.isAlphabetic }) {
            return "'\(name)' has no letters"
        }
        return nil
    }

    /// Title-cases a name that is entirely upper or entirely lower case; leaves mixed case alone.
    static func fixCase(_ name: String) -> String {
        var hasUpper = false
        var hasLower = false
        var ascii = true
        for b in name.utf8 {
            if b >= 0x80 {
                ascii = false
            } else if b >= 0x41 && b <= 0x5A {
                hasUpper = true
            } else if b >= 0x61 && b <= 0x7A {
                hasLower = true
            }
        }
        if hasUpper && hasLower { return name }
        if ascii { return asciiTitleCase(name) }
        for scalar in name.unicodeScalars where scalar.value >= 0x80 {
            let properties = scalar.properties
            if properties.isUppercase { hasUpper = true } else if properties.isLowercase { hasLower = true }
            if hasUpper && hasLower { return name }
        }
        return genericTitleCase(name)
    }

    /// Title-cases any text with the name rules; the ASCII path must agree with it.
    static func genericTitleCase(_ name: String) -> String {
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

    /// The same casing rules as ``titleCaseWord(_:)`` over ASCII bytes, for speed.
    private static func asciiTitleCase(_ name: String) -> String {
        let utf8 = name.utf8
        return String(unsafeUninitializedCapacity: utf8.count) { out in
            var count = 0
            for b in utf8 {
                out[count] = (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b
                count += 1
            }
            // Word boundaries: spaces. Particles stay lower case unless they are the last word.
            var wordStart = 0
            while wordStart < count {
                var wordEnd = wordStart
                while wordEnd < count && out[wordEnd] != 0x20 { wordEnd += 1 }
                let isLast = wordEnd >= count
                let isParticle = !isLast && isASCIIParticle(out, wordStart, wordEnd)
                if !isParticle {
                    var segmentStart = wordStart
                    var capitalize = true
                    var i = wordStart
                    while i < wordEnd {
                        let c = out[i]
                        if c == UInt8(ascii: "-") || c == UInt8(ascii: "'") {
                            capitalize = c == UInt8(ascii: "-") || i - segmentStart == 1
                            i += 1
                            segmentStart = i
                            continue
                        }
                        if capitalize {
                            if c >= 0x61 && c <= 0x7A { out[i] = c & 0xDF }
                            capitalize = false
                            // "mcdonald" → "McDonald"
                            if c == UInt8(ascii: "m") && i + 2 < wordEnd && out[i + 1] == UInt8(ascii: "c")
                                && out[i + 2] >= 0x61 && out[i + 2] <= 0x7A
                            {
                                out[i + 2] &= 0xDF
                                i += 3
                                continue
                            }
                        }
                        i += 1
                    }
                }
                wordStart = wordEnd + 1
            }
            return count
        }
    }

    private static func isASCIIParticle(_ bytes: UnsafeMutableBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        let length = end - start
        guard length >= 2 && length <= 5 else { return false }
        return particles.contains(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
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

    /// A word in lower case, without dots unless told otherwise ("Dr." → "dr"), to look up titles,
    /// suffixes and particles.
    private static func wordKey(_ word: Substring, droppingDots: Bool = true) -> String {
        let utf8 = word.utf8
        guard utf8.allSatisfy({ $0 < 0x80 }) else {
            let lowered = word.lowercased()
            return droppingDots ? lowered.filter { $0 != "." } : lowered
        }
        return String(unsafeUninitializedCapacity: utf8.count) { buffer in
            var count = 0
            for byte in utf8 where !(droppingDots && byte == UInt8(ascii: ".")) {
                buffer[count] = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
                count += 1
            }
            return count
        }
    }

    /// The words of `text` between single ASCII spaces (as cleaning leaves them), empty ones dropped.
    private static func spaceSeparatedWords(_ text: Substring) -> [Substring] {
        var words: [Substring] = []
        let utf8 = text.utf8
        var start = utf8.startIndex
        var index = start
        while index != utf8.endIndex {
            if utf8[index] == UInt8(ascii: " ") {
                if start != index { words.append(text[start..<index]) }
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        if start != utf8.endIndex { words.append(text[start..<utf8.endIndex]) }
        return words
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
