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

extension LayoutTests {
    @Test func fittedColumnsTakeTheirContentWhenEverythingFits() {
        // Fixed 2; fills want 3 and 5 of 16 - 2 spacing = 14: 12 left → 3 and 5, then 4 more by weight 1:1.
        #expect(Layout.fittedSizes(for: [.length(2), .fill(1), .fill(1)], natural: [0, 3, 5], extent: 16, spacing: 1) == [2, 5, 7])
    }

    @Test func fittedColumnsKeepNarrowOnesWholeWhenSpaceIsShort() {
        // 20 for fills of 4, 12 and 30: the 4 keeps 4 (by weight alone it would have had 7, 3 of them unused), then
        // 16 is shared by weight between the 12 and the 30.
        #expect(Layout.fittedSizes(for: [.fill(1), .fill(1), .fill(1)], natural: [4, 12, 30], extent: 20) == [4, 8, 8])
        // A second round: with 28, 4 fits (28/3), then 12 fits in 24/2, and the 30 takes the 12 left.
        #expect(Layout.fittedSizes(for: [.fill(1), .fill(1), .fill(1)], natural: [4, 12, 30], extent: 28) == [4, 12, 12])
        // Weights decide among the wide ones; a narrow one keeps its width whatever its weight.
        #expect(Layout.fittedSizes(for: [.fill(1), .fill(3)], natural: [50, 50], extent: 20) == [5, 15])
        #expect(Layout.fittedSizes(for: [.fill(1), .fill(6)], natural: [8, 50], extent: 20) == [8, 12])
        #expect(Layout.fittedSizes(for: [.length(5), .fill(1)], natural: [0, 9], extent: 3) == [3, 0])
    }
}
