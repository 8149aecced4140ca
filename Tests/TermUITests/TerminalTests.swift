import Testing
import TermUI
import TermUITesting

@Suite struct TerminalTests {
    /// A small screen: a titled block with a table of customers and a status bar.
    struct Screen {
        var state = TableState()
        var source = ArrayTableDataSource(strings: (0..<50).map { ["C\($0)", $0 % 2 == 0 ? "顧客\($0)" : "Ana \($0)"] })

        mutating func draw(_ frame: inout Frame) {
            let (body, status) = frame.area.splitBottom(1)
            let block = Block(title: "Customers")
            frame.render(block, in: body)
            let table = Table(columns: [TableColumn("ID", width: .length(4)), TableColumn("Name")], dataSource: source)
            frame.render(table, in: block.inner(body), state: &state)
            frame.render(StatusBar(left: "row \((state.selected ?? 0) + 1)/\(source.rowCount)", style: .plain), in: status)
        }
    }

    @Test func firstFrameIsFullThenOnlyChangesAreSent() {
        let backend = InMemoryBackend(width: 24, height: 6)
        let terminal = Terminal(backend: backend)
        var screen = Screen()
        terminal.draw { screen.draw(&$0) }
        #expect(terminal.lastFrameCellsSent == 24 * 6)
        #expect(backend.clearCalls == 1)
        #expect(backend.screenText() == """
            ┌ Customers ───────────┐
            │ID   Name             │
            │C0   顧客0            │
            │C1   Ana 1            │
            └──────────────────────┘
             row 1/50
            """)

        // Same frame again: nothing to send.
        terminal.draw { screen.draw(&$0) }
        #expect(terminal.lastFrameCellsSent == 0)
        #expect(backend.drawCalls == 1)

        // Moving the selection changes the two reversed rows and the row counter digit.
        screen.state.select(next: 1)
        terminal.draw { screen.draw(&$0) }
        #expect(terminal.lastFrameCellsSent == 22 + 22 + 1)
        #expect(backend.lastDrawCellCount == terminal.lastFrameCellsSent)
        #expect(backend.styledCell(x: 1, y: 3)?.style.modifiers.contains(.reverse) == true)
        #expect(backend.styledCell(x: 1, y: 2)?.style.modifiers.contains(.reverse) == false)
        #expect(backend.buffer == terminal.lastBuffer)
    }

    @Test func scriptedKeysAndResizeRedrawAtTheNewSize() throws {
        let backend = InMemoryBackend(width: 24, height: 6)
        let terminal = Terminal(backend: backend)
        var screen = Screen()
        terminal.draw { screen.draw(&$0) }
        try backend.enqueue(script: "<click:5,3>")
        var resized: Size?
        func drain() {
            while let event = backend.pollEvent(timeoutMilliseconds: 0) {
                switch event {
                case .key(let key):
                    _ = screen.state.handleNavigation(key)
                case .resize(let size):
                    resized = size
                case .mouse(let mouse):
                    if case .press(.left) = mouse.kind,
                        let row = Table.row(atX: mouse.x, y: mouse.y, in: Rect(x: 1, y: 1, width: 22, height: 3), state: screen.state)
                    {
                        screen.state.select(row)
                    }
                }
                terminal.draw { screen.draw(&$0) }
            }
        }
        drain()
        #expect(screen.state.selected == 1)  // the click hit the second data row
        #expect(backend.styledCell(x: 1, y: 3)?.style.modifiers.contains(.reverse) == true)
        try backend.enqueue(script: "<down> <down> <end>")
        drain()
        #expect(screen.state.selected == 49)
        #expect(terminal.lastFrameCellsSent < 24 * 6)

        backend.resize(to: Size(width: 30, height: 8))
        drain()
        #expect(resized == Size(width: 30, height: 8))
        #expect(terminal.fullRedraws == 2)
        #expect(backend.clearCalls == 2)
        #expect(terminal.lastFrameCellsSent == 30 * 8)
        #expect(backend.screenText() == """
            ┌ Customers ─────────────────┐
            │ID   Name                   │
            │C46  顧客46                 │
            │C47  Ana 47                 │
            │C48  顧客48                 │
            │C49  Ana 49                 │
            └────────────────────────────┘
             row 50/50
            """)
        #expect(backend.pendingEvents.isEmpty)
    }

    @Test func resizeInAKeyScriptTakesEffectWhenPolled() throws {
        let backend = InMemoryBackend(width: 24, height: 6)
        let terminal = Terminal(backend: backend)
        var screen = Screen()
        try backend.enqueue(script: "<down> <resize:26x5> <down>")
        terminal.draw { screen.draw(&$0) }
        var sizes: [Size] = []
        while let event = backend.pollEvent(timeoutMilliseconds: 0) {
            if case .key(let key) = event { _ = screen.state.handleNavigation(key) }
            terminal.draw { screen.draw(&$0) }
            sizes.append(backend.size())
        }
        #expect(sizes == [Size(width: 24, height: 6), Size(width: 26, height: 5), Size(width: 26, height: 5)])
        #expect(terminal.fullRedraws == 2)
        #expect(backend.screenText() == """
            ┌ Customers ─────────────┐
            │ID   Name               │
            │C2   顧客2              │
            └────────────────────────┘
             row 3/50
            """)
    }

    @Test func cursorIsShownOnlyWhenAFrameAsksForIt() {
        let backend = InMemoryBackend(width: 10, height: 2)
        let terminal = Terminal(backend: backend)
        terminal.draw { frame in frame.setCursor(x: 3, y: 1) }
        #expect(backend.isCursorVisible)
        #expect(backend.cursor == Position(x: 3, y: 1))
        terminal.draw { _ in }
        #expect(!backend.isCursorVisible)
    }

    @Test func invalidateForcesAFullRedraw() {
        let backend = InMemoryBackend(width: 5, height: 2)
        let terminal = Terminal(backend: backend)
        terminal.draw { $0.buffer.setString(x: 0, y: 0, "hi") }
        terminal.invalidate()
        terminal.draw { $0.buffer.setString(x: 0, y: 0, "hi") }
        #expect(terminal.lastFrameCellsSent == 10)
        #expect(backend.clearCalls == 2)
        #expect(terminal.totalCellsSent == 20)
        #expect(terminal.framesDrawn == 2)
    }
}
