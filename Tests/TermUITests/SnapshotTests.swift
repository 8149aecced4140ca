import Foundation
import Testing
import TermUI
import TermUITesting

@Suite struct SnapshotTests {
    @Test func lineDiffShowsNumberedExpectedAndActualLines() {
        #expect(lineDiff(expected: "a\nb", actual: "a\nb") == nil)
        let diff = lineDiff(expected: "Name  Email\nAda   ada@x\nend", actual: "Name  E-mail\nAda   ada@x")
        #expect(diff == """
            line 1:
              expected: │Name  Email│
              actual:   │Name  E-mail│
            line 3:
              expected: │end│
              actual:   <no line>
            """)
    }

    @Test func snapshotMatchesMismatchesAndRecords() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("termui-snapshots-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }

        // Missing: fails and says how to record.
        guard case .failed(let missing) = TextSnapshot.check("a\nb", named: "screen", directory: directory, record: false) else {
            Issue.record("a missing snapshot must fail")
            return
        }
        #expect(missing.contains("CDP_RECORD_SNAPSHOTS=1"))

        // Recording writes the file, which then matches (a trailing newline is not a difference).
        let recorded = TextSnapshot.check("a\nb", named: "screen", directory: directory, record: true)
        #expect(recorded == .recorded(path: directory.appendingPathComponent("screen.txt").path))
        #expect(TextSnapshot.check("a\nb\n", named: "screen", directory: directory, record: false) == .matched)

        // A different text fails with the line diff.
        guard case .failed(let message) = TextSnapshot.check("a\nc", named: "screen", directory: directory, record: false) else {
            Issue.record("a different text must fail")
            return
        }
        #expect(message.contains("line 2:\n  expected: │b│\n  actual:   │c│"))
    }

    @Test func screenSnapshotBesideThisTest() throws {
        let backend = InMemoryBackend(width: 40, height: 8)
        let terminal = Terminal(backend: backend)
        let groups = [
            HelpGroup(title: "Move", entries: [HelpEntry([.char("j")], "down"), HelpEntry([.char("k")], "up")]),
            HelpGroup(title: "Act", entries: [HelpEntry([.ctrl("r")], "reload")]),
        ]
        terminal.draw { frame in
            frame.render(Tabs(titles: ["Sources", "Rules"], selected: 0), in: frame.area)
            frame.render(HelpOverlay(groups: groups), in: frame.area)
        }
        assertTextSnapshot(backend.screenText(), named: "help-overlay")
    }
}
