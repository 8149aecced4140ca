import Testing

@testable import TermUI

/// The OSC 52 sequence that puts text on the clipboard, with base64 checked against RFC 4648's test vectors.
@Suite struct ClipboardTests {
    @Test(arguments: [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")])
    func base64MatchesRFC4648(text: String, encoded: String) {
        #expect(Clipboard.base64(Array(text.utf8)) == encoded)
    }

    @Test func theSequenceCarriesTheTextAsUTF8() {
        #expect(Clipboard.osc52("bob at example.com") == "\u{1B}]52;c;Ym9iIGF0IGV4YW1wbGUuY29t\u{07}")
        #expect(Clipboard.osc52("山田") == "\u{1B}]52;c;5bGx55Sw\u{07}")
    }
}
