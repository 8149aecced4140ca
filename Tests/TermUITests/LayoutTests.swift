import Testing
@testable import TermUI

@Suite struct LayoutTests {
    @Test func verticalSplitWithFixedAndFill() {
        let area = Rect(x: 0, y: 0, width: 80, height: 24)
        let rows = Layout.vertical([.length(1), .fill(1), .length(1)]).split(area)
        #expect(rows == [
            Rect(x: 0, y: 0, width: 80, height: 1),
            Rect(x: 0, y: 1, width: 80, height: 22),
            Rect(x: 0, y: 23, width: 80, height: 1),
        ])
    }

    @Test func fillWeightsShareLeftoverWithDeterministicRounding() {
        #expect(Layout.sizes(for: [.fill(1), .fill(1), .fill(1)], extent: 10) == [4, 3, 3])
        #expect(Layout.sizes(for: [.fill(1), .fill(2)], extent: 10) == [3, 7])
        #expect(Layout.sizes(for: [.length(2), .fill(1), .fill(3)], extent: 10) == [2, 2, 6])
    }

    @Test func percentagesRoundDownAndMinGrows() {
        #expect(Layout.sizes(for: [.percentage(33), .percentage(33), .min(1)], extent: 10) == [3, 3, 4])
        #expect(Layout.sizes(for: [.percentage(50), .length(3)], extent: 9) == [4, 3])
        #expect(Layout.sizes(for: [.min(2), .min(2)], extent: 9) == [5, 4])
    }

    @Test func tooLittleSpaceClampsInOrder() {
        #expect(Layout.sizes(for: [.length(5), .length(5), .fill(1)], extent: 7) == [5, 2, 0])
        #expect(Layout.sizes(for: [.length(3)], extent: 0) == [0])
    }

    @Test func horizontalSplitWithSpacing() {
        let area = Rect(x: 2, y: 1, width: 21, height: 3)
        let columns = Layout.horizontal([.length(5), .fill(1), .fill(1)], spacing: 1).split(area)
        #expect(columns.map(\.x) == [2, 8, 16])
        #expect(columns.map(\.width) == [5, 7, 7])
        #expect(columns.allSatisfy { $0.y == 1 && $0.height == 3 })
    }

    @Test func rectHelpers() {
        let r = Rect(x: 0, y: 0, width: 10, height: 6)
        #expect(r.inner(1) == Rect(x: 1, y: 1, width: 8, height: 4))
        #expect(r.inner(4).isEmpty)
        #expect(r.centered(width: 4, height: 3) == Rect(x: 3, y: 1, width: 4, height: 3))
        #expect(r.splitTop(2).rest == Rect(x: 0, y: 2, width: 10, height: 4))
        #expect(r.splitBottom(1).bottom == Rect(x: 0, y: 5, width: 10, height: 1))
        #expect(r.intersection(Rect(x: 8, y: 4, width: 5, height: 5)) == Rect(x: 8, y: 4, width: 2, height: 2))
    }
}
