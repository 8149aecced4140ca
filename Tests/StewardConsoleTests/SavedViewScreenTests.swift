import CDPCore
@testable import CDPEngine
import Foundation
import TermUI
import TermUITesting
import Testing

@testable import StewardConsole

/// `:view save NAME` keeps the workbench's filters, sort and columns for the steward (through the engine);
/// `:view NAME` and `V` bring them back.
@Suite struct SavedViewScreenTests {
    @Test func aSavedViewBringsBackTheFiltersSortAndColumns() throws {
        let f = try ConsoleFixture()
        // Rule email_format, sorted by the id reversed, the status column hidden.
        try f.send("2 : rule <space> email_format <enter> O ] ] -")
        let saved = f.screen
        #expect(!ScreenSnapshotTests.title(saved).isEmpty)
        try f.send(": view <space> save <space> eu-emails <enter>")
        #expect(f.app.message?.text == "saved this view as eu-emails; :view eu-emails shows it again")
        let view = try SavedViews(workspace: f.workspace, environment: ConsoleFixture.clock).view(named: "eu-emails")
        #expect(view.rule == "email_format" && view.sort == "id" && view.ascending == false && !view.columns.contains("status"))

        // Everything back to the start, then the view again.
        try f.send("= : rule <space> all <enter> o")
        #expect(f.screen != saved)
        try f.send(": view <space> eu-emails <enter>")
        #expect(ScreenSnapshotTests.title(f.screen).contains("Quarantine · 5 open+fixed · rule email_format · by id ▼"), "\(ScreenSnapshotTests.title(f.screen))")
        let header = try #require(f.screen.split(separator: "\n").first { $0.contains(" id ") })
        #expect(!header.contains("status"), "\(header)")
        let rows = f.screen.split(separator: "\n").filter { $0.contains(" crm ") }
        #expect(rows.first?.contains("Q5") == true, "\(rows)")

        // V lists the steward's views.
        try f.send("V")
        assertTextSnapshot(f.screen, named: "view-picker")
        #expect(f.screen.contains("eu-emails: rule email_format · open,fixed · by id ▼"))
        try f.send("<esc> : view <space> nowhere <enter>")
        #expect(f.app.message?.text.hasPrefix("no saved view 'nowhere' (yours: eu-emails)") == true, "\(f.app.message?.text ?? "")")
    }
}
