import Testing
import TermUI
import TermUITesting

@Suite struct TextFieldTests {
    @Test func editingWithCursorMovement() throws {
        var field = TextFieldState("acd")
        #expect(field.cursor == 3)
        field.moveLeft()
        field.moveLeft()
        field.insert("b")
        #expect(field.value == "abcd")
        #expect(field.cursor == 2)
        field.moveEnd()
        field.deleteBackward()
        #expect(field.value == "abc")
        field.moveHome()
        field.deleteForward()
        #expect(field.value == "bc")
        #expect(field.cursor == 0)
        field.moveLeft()
        #expect(field.cursor == 0)
        for key in try KeyScript.keys("<end> x y <left> <bs> <home> <del> <ctrl-e> <ctrl-u>") {
            let handled1 = field.handle(key)
            #expect(handled1)
        }
        #expect(field.value == "")
        let handled2 = field.handle(KeyEvent(.enter))
        #expect(!handled2)
    }

    @Test func wideCharactersMoveAsOneAndCursorColumnCountsWidth() {
        var field = TextFieldState("顧客e\u{301}")
        #expect(field.cursor == 3)
        #expect(field.cursorColumn == 5)
        field.moveLeft()
        #expect(field.cursorColumn == 4)
        field.deleteBackward()
        #expect(field.value == "顧e\u{301}")
        #expect(field.cursorColumn == 2)
    }

    @Test func longValueScrollsToKeepCursorVisible() {
        var state = TextFieldState("abcdefghij")
        let widget = TextField(style: .plain)
        let buffer = renderBuffer(widget, width: 5, height: 1, state: &state)
        #expect(buffer.lines() == ["ghij "])
        #expect(widget.cursorPosition(in: buffer.area, state: state) == Position(x: 4, y: 0))
        state.moveHome()
        #expect(renderBuffer(widget, width: 5, height: 1, state: &state).lines() == ["abcde"])
    }

    @Test func secureFieldHidesCharacters() {
        var state = TextFieldState("pw顧")
        let buffer = renderBuffer(TextField(style: .plain, isSecure: true), width: 6, height: 1, state: &state)
        #expect(buffer.lines() == ["•••   "])
    }
}

@Suite struct FormTests {
    let fields = [
        FormField(id: "name", label: "Name"),
        FormField(id: "email", label: "Email", error: "must contain @"),
        FormField(id: "city", label: "City", placeholder: "optional"),
    ]

    @Test func rendersLabelsValuesErrorsAndFocusMarker() {
        var state = FormState(values: ["Ada", "ada.example", ""])
        let form = Form(fields: fields)
        let buffer = renderBuffer(form, width: 30, height: 5, state: &state)
        #expect(trimmed(buffer.lines()) == [
            "▸  Name Ada",
            "  Email ada.example",
            "        must contain @",
            "   City optional",
            "",
        ])
        #expect(state.cursorPosition == Position(x: 11, y: 0))
        #expect(buffer[2, 0].style.modifiers.contains(.bold))
        #expect(buffer[8, 2].style.fg == .red)
    }

    @Test func focusMovesWithTabShiftTabUpDownAndWraps() throws {
        var state = FormState(fieldCount: 3)
        var focusOrder: [Int] = []
        for key in try KeyScript.keys("<tab> <tab> <tab> <s-tab> <up> <down>") {
            let handled3 = state.handle(key)
            #expect(handled3)
            focusOrder.append(state.focused)
        }
        #expect(focusOrder == [1, 2, 0, 2, 1, 2])
    }

    @Test func keysGoToTheFocusedField() throws {
        var state = FormState(fieldCount: 3)
        for key in try KeyScript.keys("Ada <tab> ada@x.org <tab> 東京 <bs>") {
            _ = state.handle(key)
        }
        #expect(state.values == ["Ada", "ada@x.org", "東"])
        let handled4 = state.handle(KeyEvent(.enter))
        #expect(!handled4)
        let buffer = renderBuffer(Form(fields: fields), width: 30, height: 5, state: &state)
        #expect(trimmed(buffer.lines())[3] == "▸  City 東")
        #expect(state.cursorPosition == Position(x: 10, y: 3))
    }
}
