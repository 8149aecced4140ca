import Testing
@testable import TermUI

@Suite struct TextWidthTests {
    @Test(arguments: [
        ("a", 1), ("顧", 2), ("デ", 2), ("한", 2), ("Ａ", 2), ("😀", 2), ("👍🏽", 2),
        ("👨‍👩‍👧", 2), ("🇯🇵", 2), ("e\u{301}", 1), ("\u{7}", 0), ("\t", 0), ("❤️", 2), ("─", 1), ("é", 1),
    ])
    func characterWidth(text: String, width: Int) throws {
        let character = try #require(text.first)
        #expect(text.count == 1)
        #expect(TextWidth.of(character) == width)
    }

    @Test func stringWidthSumsGraphemes() {
        #expect(TextWidth.of("顧客データ") == 10)
        #expect(TextWidth.of("Cafe\u{301} 😀") == 7)
        #expect(TextWidth.of("") == 0)
    }

    @Test func truncateAddsEllipsisAndNeverSplitsWideCharacters() {
        #expect(TextWidth.truncate("customer", to: 5) == "cust…")
        #expect(TextWidth.truncate("short", to: 5) == "short")
        // 4 columns available before the ellipsis; the third wide char would need columns 5–6.
        #expect(TextWidth.truncate("顧客データ", to: 6) == "顧客…")
        #expect(TextWidth.truncate("顧客データ", to: 5) == "顧客…")
        #expect(TextWidth.truncate("abc", to: 0) == "")
    }

    @Test func visibleReplacesControlCharacters() {
        #expect(TextWidth.visible("a\tb\r\nc\u{7F}") == "a␉b␍␊c␡")
        #expect(TextWidth.visible("顧客 e\u{301}") == "顧客 e\u{301}")
        #expect(TextWidth.of(TextWidth.visible("a\tb")) == 3)
    }

    @Test func padAlignsByDisplayWidth() {
        #expect(TextWidth.pad("顧客", to: 6) == "顧客  ")
        #expect(TextWidth.pad("ab", to: 5, alignment: .right) == "   ab")
        #expect(TextWidth.pad("ab", to: 5, alignment: .center) == " ab  ")
        #expect(TextWidth.pad("abcdefgh", to: 4) == "abc…")
    }
}

extension TextWidthTests {
    /// The printable-ASCII shortcut agrees with summing graphemes, and steps aside for anything else.
    @Test(arguments: ["", "plain text", "C123 · x", "tab\there", "cr\r\nlf", "del\u{7F}", "mixed 山田", "e\u{301}", "~!@#$%^&*()_+{}|:\"<>?"])
    func stringWidthShortcutAgreesWithGraphemes(text: String) {
        #expect(TextWidth.of(text) == text.reduce(0) { $0 + TextWidth.of($1) })
        #expect(TextWidth.of(Substring(text)) == TextWidth.of(text))
    }
}
