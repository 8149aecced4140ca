import CDPCore

/// The small ways people and systems write the same name or email differently.
enum TextVariation {
    /// Letters without their accents, for email addresses ("Müller" → "muller").
    private static let folding: [Character: String] = [
        "à": "a", "á": "a", "â": "a", "ä": "a", "å": "a", "ã": "a", "æ": "ae", "ç": "c", "č": "c", "ć": "c",
        "è": "e", "é": "e", "ê": "e", "ë": "e", "ę": "e", "ì": "i", "í": "i", "î": "i", "ï": "i", "ł": "l",
        "ñ": "n", "ń": "n", "ò": "o", "ó": "o", "ô": "o", "ö": "o", "ø": "o", "õ": "o", "ś": "s", "š": "s",
        "ß": "ss", "ù": "u", "ú": "u", "û": "u", "ü": "u", "ý": "y", "ÿ": "y", "ź": "z", "ż": "z", "ž": "z",
        "ą": "a", "º": "",
    ]

    /// A lower-case ASCII token for an email local part: accents folded, spaces and punctuation dropped.
    static func emailToken(_ name: String) -> String {
        var result = ""
        for character in name.lowercased() {
            if let folded = folding[character] {
                result += folded
            } else if character.isASCII && (character.isLetter || character.isNumber) {
                result.append(character)
            }
        }
        return result
    }

    /// True when the text has a character outside ASCII.
    static func hasNonASCII(_ text: String) -> Bool {
        text.utf8.contains { $0 >= 0x80 }
    }

    /// The name with one plausible typing slip: a letter dropped, doubled, swapped with its neighbour
    /// or replaced by a nearby key.
    static func typo(_ name: String, random: inout SplitMix64) -> String {
        var characters = Array(name)
        let letterPositions = characters.indices.filter { characters[$0].isLetter }
        guard letterPositions.count >= 4 else { return name }
        // Keep the first letter: people rarely mistype it, and matchers block on it.
        let position = letterPositions[1 + random.below(letterPositions.count - 1)]
        switch random.below(4) {
        case 0:
            characters.remove(at: position)
        case 1:
            characters.insert(characters[position], at: position)
        case 2:
            if position + 1 < characters.count && characters[position + 1].isLetter
                && characters[position + 1] != characters[position]
            {
                characters.swapAt(position, position + 1)
            } else {
                characters.remove(at: position)
            }
        default:
            let lower = Character(characters[position].lowercased())
            let replacement = nearbyKeys[lower].map { random.pick(Array($0)) } ?? "e"
            characters[position] = characters[position].isUppercase ? Character(replacement.uppercased()) : replacement
        }
        return String(characters)
    }

    private static let nearbyKeys: [Character: String] = [
        "a": "sqz", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj", "i": "uo",
        "j": "hk", "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o", "q": "w", "r": "et",
        "s": "ad", "t": "ry", "u": "yi", "v": "cb", "w": "qe", "x": "zc", "y": "tu", "z": "x",
    ]

    /// Whether every Unicode scalar fits in one Latin-1 byte.
    static func isLatin1(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0.value <= 0xFF }
    }

    /// The text as Latin-1 bytes; characters outside Latin-1 become `?`.
    static func latin1Bytes(_ text: String) -> [UInt8] {
        text.unicodeScalars.map { $0.value <= 0xFF ? UInt8($0.value) : UInt8(ascii: "?") }
    }
}
