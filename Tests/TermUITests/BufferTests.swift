import Testing
@testable import TermUI

@Suite struct BufferTests {
    @Test func wideCharactersTakeTwoCellsAndKeepColumnsAligned() {
        var buffer = Buffer(width: 12, height: 2)
        let used = buffer.setString(x: 0, y: 0, "顧客データ|")
        buffer.setString(x: 0, y: 1, "abcdefghij|")
        #expect(used == 11)
        #expect(buffer.lines() == ["顧客データ| ", "abcdefghij| "])
        #expect(buffer[0, 0].symbol == "顧")
        #expect(buffer[1, 0].isContinuation)
        #expect(buffer[2, 0].symbol == "客")
        #expect(buffer[10, 0].symbol == "|")
    }

    @Test func emojiAndCombiningMarksStayInTheirGrapheme() {
        var buffer = Buffer(width: 8, height: 1)
        buffer.setString(x: 0, y: 0, "e\u{301}😀x")
        #expect(buffer[0, 0].symbol == "e\u{301}")
        #expect(buffer[1, 0].symbol == "😀")
        #expect(buffer[2, 0].isContinuation)
        #expect(buffer[3, 0].symbol == "x")
        #expect(TextWidth.of(buffer.lines()[0]) == 8)
    }

    @Test func wideCharacterThatDoesNotFitIsDroppedWhole() {
        var buffer = Buffer(width: 5, height: 1)
        let used = buffer.setString(x: 0, y: 0, "ab顧客")
        #expect(used == 4)
        #expect(buffer.lines() == ["ab顧 "])
        var limited = Buffer(width: 10, height: 1)
        #expect(limited.setString(x: 1, y: 0, "顧客データ", maxWidth: 5) == 4)
        #expect(limited.lines() == [" 顧客     "])
    }

    @Test func overwritingHalfOfAWideCharacterBlanksTheOtherHalf() {
        var buffer = Buffer(width: 6, height: 1)
        buffer.setString(x: 0, y: 0, "顧客デ")
        buffer.setString(x: 1, y: 0, "x")  // over the continuation of 顧
        #expect(buffer.lines() == [" x客デ"])
        buffer.setString(x: 2, y: 0, "y")  // over the head of 客
        #expect(buffer.lines() == [" xy デ"])
        #expect(!buffer[3, 0].isContinuation)
    }

    @Test func stylesPatchOntoExistingCells() {
        var buffer = Buffer(width: 4, height: 1)
        buffer.fill(area: buffer.area, with: Cell(symbol: " ", style: .bg(.blue)))
        buffer.setString(x: 0, y: 0, "ab", style: .fg(.red))
        #expect(buffer[0, 0].style == Style(fg: .red, bg: .blue))
        buffer.setStyle(area: Rect(x: 1, y: 0, width: 2, height: 1), .bold())
        #expect(buffer[1, 0].style == Style(fg: .red, bg: .blue, modifiers: .bold))
        #expect(buffer[3, 0].style == Style(bg: .blue))
    }

    @Test func diffReturnsOnlyChangedCells() {
        var before = Buffer(width: 10, height: 3)
        before.setString(x: 0, y: 0, "hello")
        var after = before
        after.setString(x: 0, y: 0, "help")  // 'p' replaces 'l' at column 3
        after.setString(x: 2, y: 2, "!", style: .bold())
        let changes = after.diff(from: before)
        #expect(changes.count == 2)
        #expect(changes.map(\.x) == [3, 2])
        #expect(changes.map(\.y) == [0, 2])
        #expect(changes[0].cell.symbol == "p")
        #expect(before.diff(from: before).isEmpty)
    }

    @Test func diffOfAStyleOnlyChangeIsReported() {
        var before = Buffer(width: 3, height: 1)
        before.setString(x: 0, y: 0, "abc")
        var after = before
        after.setStyle(area: Rect(x: 1, y: 0, width: 1, height: 1), .reversed())
        #expect(after.diff(from: before) == [CellChange(x: 1, y: 0, cell: Cell(symbol: "b", style: .reversed()))])
    }

    @Test func setLineHonoursAlignmentAndTruncates() {
        var buffer = Buffer(width: 10, height: 3)
        buffer.setLine(Line("right", alignment: .right), in: Rect(x: 0, y: 0, width: 10, height: 1))
        buffer.setLine("mid", in: Rect(x: 0, y: 1, width: 10, height: 1), alignment: .center)
        buffer.setLine(Line(spans: [Span("long "), Span("text here", style: .bold())]), in: Rect(x: 0, y: 2, width: 10, height: 1))
        #expect(buffer.lines() == ["     right", "   mid    ", "long text…"])
        #expect(buffer[6, 2].style == .bold())
    }

    @Test func writesOutsideTheBufferAreIgnored() {
        var buffer = Buffer(width: 3, height: 1)
        #expect(buffer.setString(x: 0, y: 5, "abc") == 0)
        #expect(buffer.setString(x: 5, y: 0, "abc") == 0)
        buffer[9, 9] = Cell(symbol: "x")
        #expect(buffer.cell(x: 9, y: 9) == nil)
        #expect(buffer.lines() == ["   "])
    }
}
