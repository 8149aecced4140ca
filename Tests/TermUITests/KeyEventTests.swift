import Testing
import TermUI
import TermUITesting

@Suite struct KeyEventTests {
    @Test(arguments: [
        (KeyEvent.ctrl("r"), "Ctrl-R"), (KeyEvent(.function(2)), "F2"), (KeyEvent(.pageDown), "PgDn"),
        (KeyEvent.char("?"), "?"), (KeyEvent.char("G"), "G"), (KeyEvent.alt("x"), "Alt-x"),
        (KeyEvent(.backTab), "Shift-Tab"), (KeyEvent.char(" "), "Space"), (KeyEvent(.enter), "Enter"),
        (KeyEvent(.up, ctrl: true), "Ctrl-Up"), (KeyEvent(.escape), "Esc"),
    ])
    func description(key: KeyEvent, text: String) {
        #expect(key.description == text)
        #expect(KeyEvent(text) == key)
    }

    @Test func parsesCaseInsensitiveNamesButKeepsCharacterCase() {
        #expect(KeyEvent("ctrl-r") == KeyEvent.ctrl("r"))
        #expect(KeyEvent("CTRL-R") == KeyEvent.ctrl("r"))
        #expect(KeyEvent("f2") == KeyEvent(.function(2)))
        #expect(KeyEvent("pgdn") == KeyEvent(.pageDown))
        #expect(KeyEvent("PageUp") == KeyEvent(.pageUp))
        #expect(KeyEvent("G") == KeyEvent.char("G"))
        #expect(KeyEvent("g") == KeyEvent.char("g"))
        #expect(KeyEvent("G") != KeyEvent("g"))
        #expect(KeyEvent("-") == KeyEvent.char("-"))
        #expect(KeyEvent("ctrl--") == KeyEvent(.char("-"), ctrl: true))
        #expect(KeyEvent("c-a") == KeyEvent.ctrl("a"))
        #expect(KeyEvent("alt-ctrl-x") == KeyEvent(.char("x"), ctrl: true, alt: true))
        #expect(KeyEvent(parsing: "shift-tab") == KeyEvent(.backTab))
        #expect(KeyEvent("nonsense") == nil)
        #expect(KeyEvent("f99") == nil)
        #expect(KeyEvent("") == nil)
    }

    @Test func everyNamedKeyRoundTrips() {
        let keys: [Key] = [
            .enter, .escape, .backspace, .tab, .backTab, .up, .down, .left, .right, .pageUp, .pageDown,
            .home, .end, .delete, .insert, .function(1), .function(12), .char("a"), .char("Z"), .char("/"), .char("é"),
        ]
        for key in keys {
            for (ctrl, alt) in [(false, false), (true, false), (false, true), (true, true)] {
                let event = KeyEvent(key, ctrl: ctrl, alt: alt)
                #expect(KeyEvent(event.description) == event, "\(event.description)")
            }
        }
    }

    @Test func keyScriptParsesTokens() throws {
        let events = try KeyScript.parse("j j j <pgdn> / a b c <enter> <esc> <ctrl-r>")
        #expect(events == [
            .key(.char("j")), .key(.char("j")), .key(.char("j")), .key(KeyEvent(.pageDown)), .key(.char("/")),
            .key(.char("a")), .key(.char("b")), .key(.char("c")), .key(KeyEvent(.enter)), .key(KeyEvent(.escape)),
            .key(.ctrl("r")),
        ])
    }

    @Test func keyScriptTypesWordsAndSpecialTokens() throws {
        let events = try KeyScript.parse("ab <space> <lt> <s-tab> <f10> <resize:120x40>")
        #expect(events == [
            .key(.char("a")), .key(.char("b")), .key(.char(" ")), .key(.char("<")), .key(KeyEvent(.backTab)),
            .key(KeyEvent(.function(10))), .resize(Size(width: 120, height: 40)),
        ])
        #expect(try KeyScript.keys("x <resize:1x1> y") == [.char("x"), .char("y")])
    }

    @Test func keyScriptMouseTokens() throws {
        let events = try KeyScript.parse("<click:10,5> <release:10,5> <scrollup:0,0> <scrolldown:3,4>")
        #expect(events == [
            .mouse(MouseEvent(.press(.left), x: 10, y: 5)), .mouse(MouseEvent(.release(.left), x: 10, y: 5)),
            .mouse(MouseEvent(.scrollUp, x: 0, y: 0)), .mouse(MouseEvent(.scrollDown, x: 3, y: 4)),
        ])
        #expect(throws: KeyScriptError.self) { try KeyScript.parse("<click:10>") }
    }

    @Test func keyScriptRejectsUnknownNames() {
        #expect(throws: KeyScriptError(token: "<bogus>", position: 1)) {
            try KeyScript.parse("j <bogus> k")
        }
    }
}
