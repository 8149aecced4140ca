/// A Metaphone code (Lawrence Philips, 1990) for surnames: spellings that sound alike get the same code
/// ("Smith", "Smyth" → `SM0`; "Philips", "Phillips" → `FLPS`), so blocking and a "sounds alike" comparison
/// level catch spelling variants an edit distance would rank low.
///
/// Input is folded first (lower-case ASCII letters, accents removed). Names in other scripts have no
/// Latin letters left and get their folded text back, so they still block on exact equality.
public enum PhoneticCode {
    public static func metaphone(_ name: String) -> String {
        let folded = PersonName.foldedKey(name)
        let letters = Array(folded.utf8).filter { $0 >= 0x61 && $0 <= 0x7A }.map { $0 - 0x20 }
        guard !letters.isEmpty else { return folded }
        return encode(letters)
    }

    private static func isVowel(_ c: UInt8) -> Bool { c == 65 || c == 69 || c == 73 || c == 79 || c == 85 }

    private static func encode(_ input: [UInt8]) -> String {
        var word = input
        // Initial letter exceptions.
        func startsWith(_ text: String) -> Bool { word.starts(with: Array(text.utf8)) }
        if startsWith("AE") || startsWith("GN") || startsWith("KN") || startsWith("PN") || startsWith("WR") {
            word.removeFirst()
        } else if word.first == 88 /* X */ {
            word[0] = 83  // S
        } else if startsWith("WH") {
            word.remove(at: 1)
        }
        var code: [UInt8] = []
        let n = word.count
        func at(_ i: Int) -> UInt8 { i >= 0 && i < n ? word[i] : 0 }
        func emit(_ text: String) { code.append(contentsOf: text.utf8) }
        var i = 0
        while i < n {
            let c = word[i]
            // Adjacent duplicates count once, except C ("McCormick" keeps its hard C).
            if c != 67 && i > 0 && at(i - 1) == c { i += 1; continue }
            let next = at(i + 1)
            let previous = at(i - 1)
            switch c {
            case 65, 69, 73, 79, 85:
                if i == 0 { code.append(c) }
            case 66:  // B, silent in a final MB
                if !(previous == 77 && i == n - 1) { emit("B") }
            case 67:  // C
                if next == 73 && at(i + 2) == 65 {
                    emit("X")
                } else if next == 72 {
                    emit(previous == 83 ? "K" : "X")
                    i += 1
                } else if next == 73 || next == 69 || next == 89 {
                    if previous != 83 { emit("S") }
                } else {
                    emit("K")
                }
            case 68:  // D
                if next == 71 && [69, 73, 89].contains(at(i + 2)) {
                    emit("J")
                    i += 2
                } else {
                    emit("T")
                }
            case 71:  // G
                if next == 72 && !(i + 2 >= n || isVowel(at(i + 2))) {
                    // silent GH before a consonant ("Knight")
                } else if next == 78 && (i + 2 == n || (at(i + 2) == 69 && at(i + 3) == 68 && i + 4 == n)) {
                    // silent in a final GN / GNED
                } else if (next == 73 || next == 69 || next == 89) && previous != 71 {
                    emit("J")
                } else {
                    emit("K")
                }
            case 72:  // H
                let afterSoftener = [67, 83, 80, 84, 71].contains(previous)
                if !afterSoftener && !(isVowel(previous) && !isVowel(next)) { emit("H") }
            case 75:  // K
                if previous != 67 { emit("K") }
            case 80:  // P
                if next == 72 { emit("F"); i += 1 } else { emit("P") }
            case 81: emit("K")
            case 83:  // S
                if next == 72 {
                    emit("X")
                    i += 1
                } else if next == 73 && (at(i + 2) == 79 || at(i + 2) == 65) {
                    emit("X")
                } else {
                    emit("S")
                }
            case 84:  // T
                if next == 73 && (at(i + 2) == 79 || at(i + 2) == 65) {
                    emit("X")
                } else if next == 72 {
                    emit("0")
                    i += 1
                } else if !(next == 67 && at(i + 2) == 72) {
                    emit("T")
                }
            case 86: emit("F")
            case 87, 89:  // W, Y: only before a vowel
                if isVowel(next) { code.append(c) }
            case 88: emit("KS")
            case 90: emit("S")
            default: code.append(c)
            }
            i += 1
        }
        return String(decoding: code, as: UTF8.self)
    }
}
