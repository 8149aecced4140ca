import Testing
@testable import TermUI

@Suite struct BlockTests {
    @Test func bordersAndTitles() {
        let block = Block(title: "Sources", titleRight: "3")
        #expect(renderLines(block, width: 16, height: 3) == [
            "┌ Sources ── 3 ┐",
            "│              │",
            "└──────────────┘",
        ])
        #expect(block.inner(Rect(x: 0, y: 0, width: 16, height: 3)) == Rect(x: 1, y: 1, width: 14, height: 1))
    }

    @Test func roundedBordersAndPartialSides() {
        #expect(renderLines(Block(borderSet: .rounded), width: 4, height: 2) == ["╭──╮", "╰──╯"])
        let topOnly = Block(borders: .top, title: "Log")
        #expect(renderLines(topOnly, width: 8, height: 2) == [" Log ───", "        "])
        #expect(topOnly.inner(Rect(x: 0, y: 0, width: 8, height: 2)) == Rect(x: 0, y: 1, width: 8, height: 1))
    }

    @Test func longTitleIsTruncated() {
        #expect(renderLines(Block(title: "顧客データ一覧"), width: 10, height: 2)[0] == "┌ 顧客デ…┐")
    }
}

@Suite struct TextWidgetTests {
    @Test func paragraphWrapsAtWordsAndCutsWithoutWrap() {
        let text = "Golden record 42 merged from three sources"
        #expect(trimmed(renderLines(Paragraph(text, wrap: true), width: 16, height: 4)) == [
            "Golden record 42", "merged from", "three sources", "",
        ])
        #expect(renderLines(Paragraph(text), width: 10, height: 1) == ["Golden rec"])
    }

    @Test func wrapBreaksLongWordsAndKeepsWideCharactersWhole() {
        let rows = Line("顧客データ統合").wrapped(to: 5)
        #expect(rows.map(\.plainText) == ["顧客", "デー", "タ統", "合"])
        #expect(Line("abcdefgh").wrapped(to: 3).map(\.plainText) == ["abc", "def", "gh"])
    }

    @Test func wrapKeepsSpanStyles() {
        let line = Line(spans: [Span("plain "), Span("bold words", style: .bold())])
        let rows = line.wrapped(to: 8)
        #expect(rows.map(\.plainText) == ["plain", "bold", "words"])
        #expect(rows[1].spans == [Span("bold", style: .bold())])
    }

    @Test func textViewScrollsAndFollowsTail() {
        let lines = (1...10).map { Line("line \($0)") }
        var state = TextViewState()
        var buffer = renderBuffer(TextView(lines: lines), width: 8, height: 3, state: &state)
        #expect(trimmed(buffer.lines()) == ["line 1", "line 2", "line 3"])
        state.page(down: true)
        buffer = renderBuffer(TextView(lines: lines), width: 8, height: 3, state: &state)
        #expect(trimmed(buffer.lines()) == ["line 3", "line 4", "line 5"])
        state.scrollToBottom()
        #expect(state.followTail)
        buffer = renderBuffer(TextView(lines: lines + ["line 11"]), width: 8, height: 3, state: &state)
        #expect(trimmed(buffer.lines()) == ["line 9", "line 10", "line 11"])
        state.scroll(by: -1)
        #expect(!state.followTail)
        buffer = renderBuffer(TextView(lines: lines + ["line 11", "line 12"]), width: 8, height: 3, state: &state)
        #expect(trimmed(buffer.lines()) == ["line 8", "line 9", "line 10"])
        let handled1 = state.handleNavigation(KeyEvent(.home))
        #expect(handled1)
        #expect(state.offset == 0)
    }

    @Test func listViewKeepsSelectionVisible() {
        let items: [Line] = ["alpha", "beta", "gamma", "delta", "epsilon"]
        var state = ListState()
        let list = ListView(items: items, highlightSymbol: "> ")
        var buffer = renderBuffer(list, width: 10, height: 2, state: &state)
        #expect(trimmed(buffer.lines()) == ["> alpha", "  beta"])
        state.select(next: 3)
        buffer = renderBuffer(list, width: 10, height: 2, state: &state)
        #expect(trimmed(buffer.lines()) == ["  gamma", "> delta"])
        #expect(buffer[3, 1].style.modifiers.contains(.reverse))
    }
}

@Suite struct BarWidgetTests {
    @Test func tabsHighlightTheSelectedTitle() {
        var buffer = Buffer(width: 30, height: 1)
        Tabs(titles: ["Sources", "Rules", "Matches"], selected: 1).render(in: buffer.area, buffer: &buffer)
        #expect(buffer.lines() == [" Sources │ Rules │ Matches    "])
        #expect(buffer[11, 0].style.modifiers.contains(.reverse))
        #expect(!buffer[1, 0].style.modifiers.contains(.reverse))
    }

    @Test func statusBarSegmentsAndMessageSeverity() {
        var buffer = Buffer(width: 40, height: 1)
        StatusBar(left: "lake: demo", center: "Sources", right: "12:00").render(in: buffer.area, buffer: &buffer)
        #expect(buffer.lines() == [" lake: demo        Sources        12:00 "])
        #expect(buffer[0, 0].style.modifiers.contains(.reverse))

        buffer = Buffer(width: 40, height: 1)
        let bar = StatusBar(left: "lake: demo", center: "Sources", right: "12:00", message: StatusMessage("3 rules failed", severity: .error))
        bar.render(in: buffer.area, buffer: &buffer)
        #expect(buffer.lines() == [" lake: demo 3 rules failed        12:00 "])
        #expect(buffer[13, 0].style.bg == .red)
        #expect(buffer[13, 0].style.modifiers.contains(.bold))
    }
}

@Suite struct ScrollbarTests {
    func column(_ bar: Scrollbar, height: Int) -> String {
        renderLines(bar, width: 1, height: height).joined()
    }

    @Test func thumbTracksThePosition() {
        #expect(column(Scrollbar(contentLength: 100, viewportLength: 25, position: 0), height: 8) == "██││││││")
        #expect(column(Scrollbar(contentLength: 100, viewportLength: 25, position: 1), height: 8) == "│██│││││")
        #expect(column(Scrollbar(contentLength: 100, viewportLength: 25, position: 74), height: 8) == "│││││██│")
        #expect(column(Scrollbar(contentLength: 100, viewportLength: 25, position: 75), height: 8) == "││││││██")
        #expect(column(Scrollbar(contentLength: 1_000_000, viewportLength: 25, position: 500_000), height: 8) == "││││█│││")
    }

    @Test func nothingWhenEverythingFits() {
        #expect(column(Scrollbar(contentLength: 5, viewportLength: 8, position: 0), height: 8) == "        ")
    }

    @Test func followsASelectionState() {
        var state = TableState()
        let table = Table(columns: [TableColumn("N")], dataSource: ArrayTableDataSource(strings: (0..<20).map { ["\($0)"] }))
        _ = renderBuffer(table, width: 5, height: 5, state: &state)
        state.selectLast()
        #expect(column(Scrollbar(state.selection), height: 4) == "│││█")
    }
}
