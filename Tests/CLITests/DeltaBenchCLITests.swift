import Foundation
import Testing

/// `cdp bench delta`: runs of the pipeline after a new file per source with 1% of its records new or changed.
@Suite struct DeltaBenchCLITests {
    @Test func benchDeltaTimesRunsThatRedoOnlyWhatChanged() throws {
        let scratch = CLI.temporaryFolder("bench-delta")
        let result = try CLI.run(["bench", "delta", "--customers", "400", "--runs", "2", "--scratch", scratch.path])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("delta ") && !$0.hasPrefix("delta of") }.count == 2, "\(result.stdout)")
        let summary = try #require(lines.first { $0.hasPrefix("delta of ") }, "\(result.stdout)")
        let figures = try #require(
            summary.firstMatch(
                of: /^delta of ([\d,]+) records at 400 customers: median ([\d.]+) s wall, ([\d.]+) s CPU; gold wrote ([\d,]+) of ([\d,]+) customers$/),
            "\(summary)")
        let records = try #require(Int(figures.1.filter(\.isNumber)))
        let rebuilt = try #require(Int(figures.4.filter(\.isNumber)))
        let customers = try #require(Int(figures.5.filter(\.isNumber)))
        // About 1% of every source's records (events are most of them); gold writes only the customers they touch.
        #expect(records > 20, "\(summary)")
        #expect(rebuilt > 0 && rebuilt < customers / 2, "\(summary)")
        let tasks = try #require(lines.first { $0.hasPrefix("by task (median run): ") })
        #expect(tasks.contains("build_gold") && tasks.contains("match_customers"), "\(tasks)")
        // Each run's files are new: the lake holds both runs' batches of every source.
        let inbox = scratch.appendingPathComponent("workspace/inbox/crm")
        let deltas = try FileManager.default.contentsOfDirectory(atPath: inbox.path).filter { $0.contains("_delta_") }
        #expect(deltas.count == 4, "\(deltas)")
    }
}
