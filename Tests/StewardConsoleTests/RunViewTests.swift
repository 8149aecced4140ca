import CDPCore
@testable import CDPEngine
import CDPStore
import Foundation
import TermUI
import TermUITesting
import Testing

@testable import StewardConsole

/// A run followed live: progress with rate and ETA for a running task, and the failed task's log opened
/// when the run fails — both from rows another process writes.
@Suite struct RunViewTests {
    @Test func aRunningTaskShowsProgressRateAndETAThenItsFailureOpensItsLog() throws {
        let f = try ConsoleFixture()
        let store = f.workspace.store
        let started = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-10))
        let run = try store.startRun(
            workflow: "elsewhere",
            tasks: [.init(key: "load", step: "ingest", dependsOn: []), .init(key: "check", step: "scorecard", dependsOn: ["load"])],
            actor: "bo", trigger: "cli", pid: 1, at: started)
        var task = TaskRunRecord(
            key: "load", position: 0, step: "ingest", dependsOn: [], state: .running, startedAt: started, processed: 500, total: 1000)
        try store.updateTask(
            run, task,
            event: RunEvent(run: run, task: "load", at: started, kind: .progress, processed: 500, total: 1000, message: "reading"))

        try f.send("3")
        #expect(f.screen.contains("running"))
        try f.send("<enter>")
        #expect(f.screen.contains("Run \(run)"))
        let progress = try #require(f.screen.split(separator: "\n").first { $0.contains("◐ load") })
        #expect(progress.contains("500/1"))
        #expect(progress.contains("/s"))
        #expect(progress.contains("ETA"))
        // Tasks in dependency order: load before check.
        let screen = f.screen
        #expect(try #require(screen.range(of: "load")).lowerBound < (try #require(screen.range(of: "○ check")).lowerBound))

        task.state = .failed
        task.error = "disk full"
        try store.updateTask(
            run, task, event: RunEvent(run: run, task: "load", at: started, kind: .taskFailed, message: "load failed: disk full"))
        try store.finishRun(run, state: .failed, error: "load failed", at: started)
        f.app.tick()
        f.app.draw()
        #expect(f.screen.contains("Log · task load"))
        #expect(f.screen.contains("failed in task load"))
        #expect(f.screen.contains("✗ load"))
    }
}
