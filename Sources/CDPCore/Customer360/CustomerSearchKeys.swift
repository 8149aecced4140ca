/// The keys a golden customer is found by, and the keys a search text looks up: an index, not a scan.
///
/// A customer is indexed by its folded names (lower case, accents removed), emails and their mailbox part,
/// and phone digits. Each distinct name is indexed once more by its Metaphone code (`~SM0`, sounds alike)
/// and every one-letter deletion (`#smth`). A search word matches a name that is equal, starts with it,
/// sounds alike, or is one edit away (symmetric deletion: a typo's deletions meet the name's), so
/// "Jöhn Smiht" finds John Smith.
public enum CustomerSearchKeys {
    /// How a search word met a key. A typo (one edit) ranks above a name that only sounds alike:
    /// "Garcai" means Garcia before Greco.
    public enum MatchKind: Int, Comparable, Sendable {
        case soundsAlike = 1
        case oneEdit = 2
        case prefix = 3
        case exact = 4

        public static func < (lhs: MatchKind, rhs: MatchKind) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    static let phoneticMark = "~"
    static let deletionMark = "#"
    /// Words shorter than this get no deletion keys (too many short names are one edit apart).
    static let minimumLengthForEdits = 4

    /// The exact keys of a customer, deduplicated and sorted: folded name words, emails and their mailbox
    /// part, phone digits and national numbers. How names sound and their one-letter deletions are keyed
    /// once per distinct name (``variants(ofName:)``), not once per customer.
    public static func keys(firstName: String?, lastName: String?, emails: [String], phones: [String]) -> [String] {
        var keys = Set(nameWords(firstName: firstName, lastName: lastName))
        for email in emails {
            let folded = fold(email)
            guard !folded.isEmpty else { continue }
            keys.insert(folded)
            if let at = folded.firstIndex(of: "@") { keys.insert(String(folded[..<at])) }
        }
        for phone in phones {
            let digits = phone.filter(\.isNumber)
            guard digits.count >= 6 else { continue }
            keys.insert(digits)
            // The national number too, so "07700 900123" finds +44 7700 900123 (leading zeros dropped on lookup).
            if phone.hasPrefix("+"), let national = nationalNumber(digits) { keys.insert(national) }
        }
        return keys.sorted()
    }

    /// The folded words of a customer's names.
    public static func nameWords(firstName: String?, lastName: String?) -> [String] {
        [firstName, lastName].compactMap { $0 }.flatMap(words)
    }

    /// The keys a name word is found by when a search word sounds like it or is one edit away: the name
    /// itself, its Metaphone code (`~SM0`) and its one-letter deletions (`#smth`).
    public static func variants(ofName word: String) -> [String] {
        var variants = [word]
        if word.contains(where: \.isLetter) { variants.append(phoneticMark + PhoneticCode.metaphone(word)) }
        if word.count >= minimumLengthForEdits { variants += deletions(word).map { deletionMark + $0 } }
        return variants
    }

    /// Every key a customer meets a lookup by, exact and variant: to rank customers found another way.
    public static func allKeys(firstName: String?, lastName: String?, emails: [String], phones: [String]) -> Set<String> {
        var keys = Set(keys(firstName: firstName, lastName: lastName, emails: emails, phones: phones))
        for word in nameWords(firstName: firstName, lastName: lastName) { keys.formUnion(variants(ofName: word)) }
        return keys
    }

    /// A lookup for one search word: keys to find exactly, a prefix to range over, and how each key type ranks.
    public struct Lookup: Hashable, Sendable {
        public var word: String
        /// Keys that mean an exact hit.
        public var exact: String
        /// Keys sounding alike.
        public var phonetic: String?
        /// Keys one edit away: the word's deletions among names, the word among names' deletions, and
        /// the word's deletions among names' deletions (a substitution or a swap).
        public var oneEdit: [String]

        /// The variant keys to look names up by: the sound, then the one-edit keys.
        public var variants: [String] { [phonetic].compactMap { $0 } + oneEdit }

        public func kind(of key: String) -> MatchKind? {
            if key == exact { return .exact }
            if key.hasPrefix(exact), !key.hasPrefix(CustomerSearchKeys.phoneticMark), !key.hasPrefix(CustomerSearchKeys.deletionMark) { return .prefix }
            if let phonetic, key == phonetic { return .soundsAlike }
            if oneEdit.contains(key) { return .oneEdit }
            return nil
        }
    }

    /// The lookups for a search text, one per word (an email or a phone number stays one word).
    public static func lookups(_ text: String) -> [Lookup] {
        searchWords(text).map { word in
            let isName = word.contains(where: \.isLetter) && !word.contains("@")
            var oneEdit: [String] = []
            if isName && word.count >= minimumLengthForEdits - 1 {
                let wordDeletions = deletions(word)
                oneEdit = wordDeletions + [deletionMark + word] + wordDeletions.map { deletionMark + $0 }
            }
            let digits = word.filter(\.isNumber)
            let isPhone = !isName && !word.contains("@") && digits.count >= 6
            let exact = isPhone ? String(digits.drop { $0 == "0" }) : word
            return Lookup(
                word: word, exact: exact, phonetic: isName ? phoneticMark + PhoneticCode.metaphone(word) : nil,
                oneEdit: Array(Set(oneEdit)).sorted())
        }
    }

    /// E.164 digits without their calling code (`447700900123` → `7700900123`), nil when no code fits.
    public static func nationalNumber(_ digits: String) -> String? {
        for length in 1...3 where PhoneNumberingPlans.callingCodes.contains(String(digits.prefix(length))) {
            return String(digits.dropFirst(length))
        }
        return nil
    }

    /// Lower case, accents removed.
    public static func fold(_ text: String) -> String {
        TextNormalization.foldAccents(text).lowercased()
    }

    static func words(_ text: String) -> [String] {
        fold(text).split { $0 == " " || $0 == "," || $0 == "\t" }.map(String.init).filter { !$0.isEmpty }
    }

    /// The words of a search text, with a phone number written in groups ("+44 7700 900123") kept as one.
    static func searchWords(_ text: String) -> [String] {
        var result: [String] = []
        var previousWasNumber = false
        for word in words(text) {
            let isNumber = word.allSatisfy { $0.isNumber || "+-().".contains($0) }
            if isNumber && previousWasNumber, let last = result.popLast() {
                result.append(last + word)
            } else {
                result.append(word)
            }
            previousWasNumber = isNumber
        }
        return result
    }

    /// Each string with one character removed, deduplicated, in order.
    static func deletions(_ word: String) -> [String] {
        let characters = Array(word)
        var seen: Set<String> = []
        var result: [String] = []
        for index in characters.indices {
            var copy = characters
            copy.remove(at: index)
            let text = String(copy)
            if seen.insert(text).inserted { result.append(text) }
        }
        return result
    }
}
