import Foundation
import Testing

/// `cdp bench arrival`: a file moved into the sample workspace's watched inbox is timed until its customer is in
/// `customer_360`, split by phase.
@Suite struct ArrivalBenchCLITests {
    @Test func benchArrivalTimesAFileIntoCustomer360ByPhase() throws {
        let scratch = CLI.temporaryFolder("bench-arrival")
        let result = try CLI.run(["bench", "arrival", "--runs", "2", "--settle", "0", "--scratch", scratch.path])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        // One line per file: the reader found its contact, and the run's phases were seen.
        let arrivals = lines.filter { $0.hasPrefix("arrival ") }
        #expect(arrivals.count == 2, "\(result.stdout)")
        let summary = try #require(lines.last)
        let figures = try #require(
            summary.firstMatch(
                of: /^file → customer_360 median ([\d.]+) s over 2 files \(([\d,]+) golden customers; trigger settles after 0 s\): trigger ([\d.]+) · ingest ([\d.]+) · revalidate ([\d.]+) · match ([\d.]+) · gold ([\d.]+)$/
            ), "\(result.stdout)")
        let visible = try #require(Double(figures.1))
        let phases = [figures.3, figures.4, figures.5, figures.6, figures.7].compactMap { Double($0) }
        #expect(phases.count == 5 && phases.allSatisfy { $0 >= 0 } && phases[1] > 0 && phases[4] > 0, "\(summary)")
        // A file's customer is visible once gold has committed, so never before that file's earlier phases have passed
        // (per file: each median may come from another file).
        for arrival in arrivals {
            let times = try #require(
                arrival.firstMatch(of: /after ([\d.]+) s \(trigger ([\d.]+) · ingest ([\d.]+) ·/), "\(arrival)")
            let (shown, trigger, ingest) = (try #require(Double(times.1)), try #require(Double(times.2)), try #require(Double(times.3)))
            // Each figure is rounded to hundredths.
            #expect(shown + 0.01 >= trigger + ingest, "\(arrival)")
        }
        #expect(visible > 0, "\(summary)")
        // The sample's customers are in the gold layer beside the arrivals.
        let before = try #require(Int(figures.2.filter(\.isNumber)))
        #expect(before > 100, "\(summary)")
    }
}
