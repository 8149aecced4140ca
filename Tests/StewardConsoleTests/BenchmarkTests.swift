import CDPCore
@testable import CDPEngine
import CDPRepositories
import CDPTestSupport
import Foundation
import TermUI
import Testing

@testable import StewardConsole

@Suite struct BenchmarkTests {
    @Test func benchmarkDrivesTheScriptAndReportsFigures() throws {
        let workspace = try ConsoleFixture.makeWorkspace("bench")
        _ = try WorkflowRunner(workspace: workspace, environment: ConsoleFixture.clock).run(workspace.workflow())
        let result = ConsoleBenchmark(workspace: workspace, environment: ConsoleFixture.clock).run()
        #expect(result.keyLatenciesMilliseconds.count == ConsoleBenchmark.defaultScript.count)
        #expect(result.firstFrameMilliseconds > 0)
        #expect(result.peakMemoryBytes > 0)
        #expect(result.quarantineRows == 6)
        #expect(result.p50 <= result.p99)
        #expect(result.report.contains("key→frame latency"))
        print(result.report)
    }

    @Test func quarantineTableReadsOnlyVisibleWindows() throws {
        var csv = "id,first,last,email,born\n"
        for index in 1...1000 { csv += "K\(index),First\(index),Last,bad\(index) at example.com,1980-01-02\n" }
        let f = try ConsoleFixture(customers: csv)
        try f.send("2")
        let source = try #require(f.app.quarantineTableSource)
        #expect(source.rowCount == 1000)
        let before = source.fetches
        // 23 visible rows: paging ten times stays within the first four windows of 64.
        try f.send(String(repeating: "<pgdn> ", count: 10))
        #expect(f.screen.contains("K2"))
        #expect(source.fetches - before <= 4)
        // Jumping to the end reads one window there, not the thousand rows between.
        let beforeEnd = source.fetches
        try f.send("G")
        #expect(f.screen.contains("K1000"))
        #expect(source.fetches - beforeEnd == 1)
        #expect(source.cachedRowCount <= QuarantineTableSource.windowsKept * QuarantineTableSource.windowSize)
    }

    /// The bulk-release scenario lands fixable records when the lake holds too few, fixes them by pattern, then
    /// releases the number asked through the console's background release, timing the keys pressed meanwhile; the
    /// rule picker is opened and timed with every rule listed.
    @Test func theBulkReleaseScenarioReleasesWhatItAskedWhileKeysKeepComing() throws {
        let folder = ScratchFolder.make("cdp-console-tests", "benchrelease")
        let workspace = try BenchmarkWorkspace.prepare(customers: 200, in: folder)
        let environment = Environment.live(user: "bench")
        let benchmark = ConsoleBenchmark(workspace: workspace, environment: environment)
        let result = try benchmark.runBulkRelease(count: 300, keyInterval: 0.001)
        #expect(result.asked == 300 && result.released == 300, "\(result.report)")
        #expect(result.fixed >= 300 && result.nowPassing >= 300)
        #expect(!result.keysDuringRelease.milliseconds.isEmpty)
        #expect(result.report.contains("bulk release:          300 of 300 records"), "\(result.report)")
        let released = try workspace.reader(for: environment).quarantineIDs(QuarantineFilter(rule: "email_format", statuses: [.released]))
        #expect(released.count == 300)
        #expect(try workspace.store.auditChainProblems().isEmpty)

        let picker = benchmark.runRulePicker(repetitions: 3)
        #expect(picker.milliseconds.count == 3)
        #expect(picker.rules >= workspace.rules.rules.count, "\(picker.rules)")
    }
}

