import Testing
@testable import TermUI

@Suite struct ModalTests {
    @Test func modalIsCentredWithTitleBodyAndButtons() {
        let modal = Modal(title: "Merge", body: ["Merge 2 records?"], buttons: ["Yes", "No"], selectedButton: 1)
        var buffer = Buffer(width: 30, height: 9)
        buffer.fill(area: buffer.area, with: Cell(symbol: "."))
        modal.render(in: buffer.area, buffer: &buffer)
        // Content width 16 (body) + 4 = 20 columns; 2 borders + 1 body row + 2 button rows = 5 rows.
        #expect(modal.rect(in: buffer.area) == Rect(x: 5, y: 2, width: 20, height: 5))
        #expect(buffer.lines() == [
            "..............................",
            "..............................",
            ".....┌ Merge ───────────┐.....",
            ".....│ Merge 2 records? │.....",
            ".....│                  │.....",
            ".....│ [ Yes ]  [ No ]  │.....",
            ".....└──────────────────┘.....",
            "..............................",
            "..............................",
        ])
        #expect(buffer[16, 5].style.modifiers.contains(.reverse))
        #expect(!buffer[15, 5].style.modifiers.contains(.reverse))
        #expect(!buffer[8, 5].style.modifiers.contains(.reverse))
    }

    @Test func modalWrapsBodyToPreferredWidth() {
        let modal = Modal(title: "Note", body: ["one two three four"], buttons: [], preferredWidth: 12)
        let lines = renderLines(modal, width: 14, height: 6)
        #expect(lines == [
            " ┌ Note ────┐ ",
            " │ one two  │ ",
            " │ three    │ ",
            " │ four     │ ",
            " └──────────┘ ",
            "              ",
        ])
    }

    @Test func confirmDialogStartsOnCancelAndAnswersKeys() {
        var state = ConfirmState()
        let answer1 = state.handle(KeyEvent(.enter))
        #expect(answer1 == .cancel)
        let answer2 = state.handle(KeyEvent(.left))
        #expect(answer2 == nil)
        #expect(state.focused == .confirm)
        let answer3 = state.handle(KeyEvent(.enter))
        #expect(answer3 == .confirm)
        let answer4 = state.handle(.char("n"))
        #expect(answer4 == .cancel)
        let answer5 = state.handle(.char("y"))
        #expect(answer5 == .confirm)
        let answer6 = state.handle(KeyEvent(.escape))
        #expect(answer6 == .cancel)
        let answer7 = state.handle(.char("q"))
        #expect(answer7 == nil)

        let dialog = ConfirmDialog(title: "Delete", message: "Delete source?", confirmLabel: "Delete", cancelLabel: "Keep")
        var buffer = Buffer(width: 26, height: 5)
        dialog.render(in: buffer.area, buffer: &buffer, state: &state)
        #expect(trimmed(buffer.lines()) == [
            " ┌ Delete ──────────────┐",
            " │ Delete source?       │",
            " │                      │",
            " │ [ Delete ]  [ Keep ] │",
            " └──────────────────────┘",
        ])
    }
}

@Suite struct HelpOverlayTests {
    let groups = [
        HelpGroup(title: "Navigation", entries: [
            HelpEntry([KeyEvent.char("j"), KeyEvent(.down)], "next row"),
            HelpEntry([KeyEvent(.pageDown)], "next page"),
        ]),
        HelpGroup(title: "Records", entries: [
            HelpEntry([.ctrl("r")], "reload"),
            HelpEntry([.char("/")], "search"),
        ]),
    ]

    @Test func groupsSitSideBySideWhenTheyFit() {
        let overlay = HelpOverlay(groups: groups, footer: "Esc")
        let lines = renderLines(overlay, width: 40, height: 7)
        #expect(lines == [
            "                                        ",
            " ┌ Help ──────────────────────────────┐ ",
            " │ Navigation          Records        │ ",
            " │ j/Down  next row    Ctrl-R  reload │ ",
            " │ PgDn    next page   /       search │ ",
            " └─────────────────────────────── Esc ┘ ",
            "                                        ",
        ])
    }

    @Test func groupsStackWhenTooNarrow() {
        let overlay = HelpOverlay(groups: groups)
        let lines = trimmed(renderLines(overlay, width: 24, height: 10))
        #expect(lines == [
            " ┌ Help ─────────────┐",
            " │ Navigation        │",
            " │ j/Down  next row  │",
            " │ PgDn    next page │",
            " │                   │",
            " │ Records           │",
            " │ Ctrl-R  reload    │",
            " │ /       search    │",
            " └───────────────────┘",
            "",
        ])
    }
}
