import Testing
@testable import TermUI

@Suite struct GaugeTests {
    @Test func fillsWithPartialBlocksAndCentresTheLabel() {
        let lines = renderLines(Gauge(ratio: 0.55, label: "55%"), width: 10, height: 1)
        // 0.55 × 10 cells = 5.5 cells: five full blocks and a half block; the label sits in columns 3–5.
        #expect(lines == ["███55%    "])
        let bar = renderLines(Gauge(ratio: 0.55, label: ""), width: 10, height: 1)
        #expect(bar == ["█████▌    "])
    }

    @Test func labelOverTheBarSwapsColours() {
        var buffer = Buffer(width: 10, height: 1)
        Gauge(ratio: 1, label: "done", barStyle: .fg(.green)).render(in: buffer.area, buffer: &buffer)
        #expect(buffer.lines() == ["███done███"])
        #expect(buffer[3, 0].style == Style(bg: .green))
        #expect(buffer[0, 0].style == Style(fg: .green))
    }

    @Test func ratioIsClampedAndPercentShownByDefault() {
        #expect(renderLines(Gauge(ratio: 1.7), width: 6, height: 1) == ["█100%█"])
        #expect(renderLines(Gauge(ratio: -1), width: 6, height: 1) == ["  0%  "])
        #expect(renderLines(Gauge(ratio: 0.0625, label: ""), width: 4, height: 1) == ["▎   "])
        let label = "12,340/50,000 · 8.1k/s · ETA 4s"
        #expect(renderLines(ProgressBar(ratio: 0, label: label), width: 35, height: 1) == ["  \(label)  "])
    }
}

@Suite struct SparklineTests {
    @Test func scalesToTheMaximum() {
        let lines = renderLines(Sparkline(values: [0, 1, 2, 3, 4, 5, 6, 7, 8]), width: 9, height: 1)
        #expect(lines == [" ▁▂▃▄▅▆▇█"])
    }

    @Test func givenMaximumAndNewestValuesOnTheRight() {
        #expect(renderLines(Sparkline(values: [100, 2, 4, 8], max: 8), width: 3, height: 1) == ["▂▄█"])
        #expect(renderLines(Sparkline(values: [0.01, 8], max: 8), width: 2, height: 1) == ["▁█"])
    }

    @Test func tallSparklinesStackBlocks() {
        #expect(renderLines(Sparkline(values: [16, 12, 4]), width: 3, height: 2) == ["█▄ ", "██▄"])
    }
}

@Suite struct BarChartTests {
    @Test func barsScaleToTheLargestValue() {
        let chart = BarChart(bars: [
            Bar(label: "email", value: 80),
            Bar(label: "phone", value: 40),
            Bar(label: "addr", value: 10, valueText: "10 (1%)"),
        ])
        let lines = renderLines(chart, width: 30, height: 3)
        // 30 columns = label 5 + space + bar 16 + space + widest value 7.
        #expect(trimmed(lines) == [
            "email ████████████████ 80",
            "phone ████████ 40",
            "addr  ██ 10 (1%)",
        ])
    }

    @Test func theSelectedBarShowsItsLabelAndValueInTheSelectedStyleAndAClickFindsIt() {
        let chart = BarChart(bars: [Bar(label: "email", value: 8), Bar(label: "born", value: 4)], selected: 1, selectedStyle: .fg(.yellow))
        var buffer = Buffer(width: 20, height: 3)
        chart.render(in: buffer.area, buffer: &buffer)
        // Label 5 + space + bar 12 + space + value 1.
        #expect(trimmed(buffer.lines()) == ["email ████████████ 8", "born  ██████ 4", ""])
        #expect(buffer[0, 1].style == .fg(.yellow))
        #expect(buffer[13, 1].style == .fg(.yellow))
        #expect(buffer[0, 0].style != .fg(.yellow))
        #expect(buffer[19, 0].style != .fg(.yellow))
        #expect(BarChart.bar(atX: 3, y: 1, in: buffer.area, count: 2) == 1)
        #expect(BarChart.bar(atX: 3, y: 2, in: buffer.area, count: 2) == nil)
        #expect(BarChart.bar(atX: 20, y: 0, in: buffer.area, count: 2) == nil)
    }

    @Test func labelsAreCutAtAThirdOfTheWidthUnlessGivenMore() {
        let bars = [Bar(label: "order_amount_valid", value: 4)]
        #expect(trimmed(renderLines(BarChart(bars: bars), width: 30, height: 1)) == ["order_amo… █████████████████ 4"])
        #expect(trimmed(renderLines(BarChart(bars: bars, maxLabelWidth: 18), width: 30, height: 1)) == ["order_amount_valid █████████ 4"])
    }

    @Test func partialBlocksAndGivenMaximum() {
        let lines = renderLines(BarChart(bars: [Bar(label: "a", value: 3)], max: 8), width: 12, height: 1)
        // Bar space: 12 − 1 − 1 − 1 − 1 = 8 cells; 3/8 of 64 eighths = 24 eighths = 3 cells.
        #expect(trimmed(lines) == ["a ███ 3"])
        let half = renderLines(BarChart(bars: [Bar(label: "a", value: 1)], max: 16), width: 12, height: 1)
        #expect(trimmed(half) == ["a ▌ 1"])
    }
}

@Suite struct SignedBarChartTests {
    @Test func negativeValuesGrowLeftOfTheAxisOnOneScale() {
        let chart = SignedBarChart(bars: [SignedBar(label: "a", value: 4), SignedBar(label: "b", value: -2)])
        // 20 columns = label 1 + space + plot 15 + space + value 2; the plot is 14 cells and the axis,
        // split 2 : 4 between the sides (5 cells left, 9 right).
        #expect(renderLines(chart, width: 20, height: 2) == [
            "a      │█████████ +4",
            "b █████│          -2",
        ])
    }

    @Test func halfCellsSitAgainstTheAxisOnBothSides() {
        let chart = SignedBarChart(bars: [
            SignedBar(label: "x", value: 1.5), SignedBar(label: "v", value: 2), SignedBar(label: "y", value: -0.5),
            SignedBar(label: "z", value: 0), SignedBar(label: "w", value: -2),
        ])
        // Plot 4 cells and the axis: 2 left for −2, 2 right for +2 — one cell per unit.
        #expect(renderLines(chart, width: 13, height: 5) == [
            "x   │█▌ +1.50",
            "v   │██    +2",
            "y  ▐│   -0.50",
            "z   │       0",
            "w ██│      -2",
        ])
    }

    @Test func aWaterfallContinuesFromTheRunningSumAndTotalsStartAtZero() {
        let chart = SignedBarChart(
            bars: [
                SignedBar(label: "p", value: -3), SignedBar(label: "0", value: 0), SignedBar(label: "a", value: 5), SignedBar(label: "b", value: 2),
                SignedBar(label: "c", value: -1), SignedBar(label: "t", value: 3, isTotal: true),
            ], mode: .waterfall)
        // The running sum spans −3…+4: 3 cells left of the axis, 4 right, one cell per unit. A zero step
        // away from the axis draws nothing.
        #expect(renderLines(chart, width: 13, height: 6) == [
            "p ███│     -3",
            "0    │      0",
            "a ██████   +5",
            "b    │  ██ +2",
            "c    │   █ -1",
            "t    │███  +3",
        ])
    }

    @Test func barsTakeTheStyleOfTheirSignAndTheAxisItsOwn() {
        let chart = SignedBarChart(
            bars: [SignedBar(label: "a", value: -1), SignedBar(label: "b", value: 1, style: .bold())],
            positiveStyle: .fg(.green), negativeStyle: .fg(.red), axisStyle: .fg(.blue), valueStyle: .fg(.yellow))
        var buffer = Buffer(width: 8, height: 2)
        chart.render(in: buffer.area, buffer: &buffer)
        // label 1, space, plot 3 (1 cell left, axis, 1 cell right), space, value 2.
        #expect(buffer.lines() == ["a █│  -1", "b  │█ +1"])
        #expect(buffer[2, 0].style == .fg(.red))
        #expect(buffer[3, 0].style == .fg(.blue))
        #expect(buffer[4, 1].style == Style(fg: .green, modifiers: .bold))
        #expect(buffer[6, 1].style == .fg(.yellow))
    }

    @Test func aTinyValueStillShowsAndANarrowAreaKeepsTheValues() {
        let chart = SignedBarChart(bars: [SignedBar(label: "big", value: 100), SignedBar(label: "tiny", value: 0.1, valueText: "≈0")])
        let lines = renderLines(chart, width: 16, height: 2)
        #expect(lines[1].contains("│▌"))
        // Too narrow for a plot: labels and values only.
        #expect(trimmed(renderLines(chart, width: 8, height: 2)) == ["b…  +100", "t…    ≈0"])
    }
}
