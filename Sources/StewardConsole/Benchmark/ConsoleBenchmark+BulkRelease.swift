import CDPCore
import CDPEngine
import CDPRepositories
import Foundation
import TermUI

/// Latency figures over a list of key→frame times (ms).
public struct KeyLatencies: Sendable {
    public var milliseconds: [Double]
    /// Each key's name (as help shows it), in the same order, to name the slow ones.
    public var keys: [String]

    public init(_ milliseconds: [Double], keys: [String] = []) {
        self.milliseconds = milliseconds
        self.keys = keys
    }

    /// The slowest keys: "#52 G 12.3 ms", slowest first.
    public func slowest(_ count: Int) -> [String] {
        milliseconds.enumerated().sorted { $0.element > $1.element }.prefix(count).map { index, ms in
            "#\(index + 1) \(keys.indices.contains(index) ? keys[index] : "?") \(String(format: "%.1f", ms)) ms"
        }
    }

    /// The `p`th percentile (nearest rank); 0 with no keys.
    public func percentile(_ p: Double) -> Double {
        let sorted = milliseconds.sorted()
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p / 100 * Double(sorted.count - 1)).rounded())
        return sorted[max(0, min(sorted.count - 1, rank))]
    }

    /// `p50 1.20 ms · p95 … · p99 … · max … over N keys`.
    public var summary: String {
        func ms(_ value: Double) -> String { String(format: "%.2f ms", value) }
        return "p50 \(ms(percentile(50))) · p95 \(ms(percentile(95))) · p99 \(ms(percentile(99))) · max \(ms(milliseconds.max() ?? 0))"
            + " over \(milliseconds.count) keys"
    }
}

extension ConsoleBenchmark {
    /// What the bulk-release scenario measured: the fix by pattern that made the records pass, then a bulk release of
    /// them through the console (the same remediation service, in the background) while keys kept coming.
    public struct BulkReleaseResult: Sendable {
        /// Records the fix by pattern changed, and how many of them pass now.
        public var fixed: Int
        public var nowPassing: Int
        public var fixSeconds: Double
        /// Records asked to be released, and released.
        public var asked: Int
        public var released: Int
        /// From the preview's Enter to the release's end on screen.
        public var releaseSeconds: Double
        /// Each key's time to its frame while the release ran.
        public var keysDuringRelease: KeyLatencies

        public var report: String {
            """
            fix by pattern:        \(fixed) records (\(nowPassing) now pass) in \(String(format: "%.2f s", fixSeconds))
            bulk release:          \(released) of \(asked) records in \(String(format: "%.2f s", releaseSeconds)) \
            (\(String(format: "%.0f", Double(released) / max(releaseSeconds, 0.001))) records/s), in the background
            keys during release:   \(keysDuringRelease.summary)
            slowest keys then:     \(keysDuringRelease.slowest(5).joined(separator: " · "))
            """
        }
    }

    /// Keys a steward might press while a release runs elsewhere: other tabs, their lists, and back.
    static let keysWhileReleasing: [KeyEvent] = [
        .char("3"), .char("j"), .char("k"), .char("4"), .char("j"), .char("j"), .char("k"), .char("5"), .char("j"), .char("7"),
        .char("j"), .char("k"), .char("1"), .char("2"),
    ]

    /// Makes sure at least `count` held records are fixable by ``BenchmarkWorkspace/fixablePattern`` (landing more when
    /// the lake holds fewer), fixes them by pattern through the remediation service (timed), then opens the console,
    /// starts a bulk release of `count` of them from the workbench's preview and, while it runs in the background,
    /// presses a key every `keyInterval` seconds, timing each key→frame.
    /// - Throws: `EngineError` when landing, fixing or reading fails (the release's own failure ends it on screen).
    public func runBulkRelease(count: Int = 10_000, keyInterval: Double = 0.02, log: (String) -> Void = { _ in }) throws(EngineError)
        -> BulkReleaseResult
    {
        let service = QuarantineService(workspace: workspace, environment: environment)
        let alreadyFixed = try workspace.reader(for: environment).quarantineIDs(QuarantineFilter(rule: "email_format", statuses: [.fixed])).count
        let fixable = try BenchmarkWorkspace.fixableCount(in: workspace, environment: environment)
        if alreadyFixed + fixable < count {
            try BenchmarkWorkspace.landFixableCustomers(count - alreadyFixed - fixable, in: workspace, log: log)
        }
        log("fixing by pattern…")
        let fixStart = DispatchTime.now().uptimeNanoseconds
        let plan = try service.plan(BenchmarkWorkspace.fixablePattern, filter: QuarantineFilter(rule: "email_format", statuses: [.open]))
        let fix = try service.apply(plan)
        let fixSeconds = Double(DispatchTime.now().uptimeNanoseconds - fixStart) / 1e9
        let ids = try workspace.reader(for: environment).quarantineIDs(QuarantineFilter(rule: "email_format", statuses: [.fixed]))
            .prefix(count).map { QuarantineID($0) }

        log("releasing \(ids.count) records in the background while pressing keys…")
        let backend = RecordingBackend(width: size.width, height: size.height)
        let app = ConsoleApp(workspace: workspace, environment: environment, theme: .dark, backend: backend)
        app.handle(.key(.char("2")))
        app.draw()
        let preview = BulkPreviewScreen(planning: .release, ids: ids, scope: "\(ids.count) fixed records")
        app.push(preview)
        while preview.planJob != nil {
            app.draw()
            Thread.sleep(forTimeInterval: 0.01)
        }
        var latencies: [Double] = []
        var pressed: [String] = []
        let start = DispatchTime.now().uptimeNanoseconds
        app.handle(.key(KeyEvent(.enter)))
        app.draw()
        var next = 0
        while preview.isRunning {
            let key = Self.keysWhileReleasing[next % Self.keysWhileReleasing.count]
            next += 1
            backend.enqueue(.key(key))
            let begin = DispatchTime.now().uptimeNanoseconds
            if let event = backend.pollEvent(timeoutMilliseconds: 0) { app.handle(event) }
            app.draw()
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - begin) / 1_000_000)
            pressed.append(key.description)
            _ = app.tick()
            Thread.sleep(forTimeInterval: keyInterval)
        }
        let releaseSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        app.waitForBackgroundReads()
        var released = 0
        if case .bulk(_, let outcome)? = app.undoStack.last { released = outcome.applied.count }
        return BulkReleaseResult(
            fixed: fix.applied.count, nowPassing: fix.nowPassing, fixSeconds: fixSeconds, asked: ids.count, released: released,
            releaseSeconds: releaseSeconds, keysDuringRelease: KeyLatencies(latencies, keys: pressed))
    }

    /// Opens the workbench's rule picker (`f`, every rule of the workspace with its count) `repetitions` times, closing
    /// it between, and returns each opening's key→frame time (ms) and how many rules it listed.
    public func runRulePicker(repetitions: Int = 15) -> (milliseconds: [Double], rules: Int) {
        let backend = RecordingBackend(width: size.width, height: size.height)
        let app = ConsoleApp(workspace: workspace, environment: environment, theme: .dark, backend: backend)
        app.handle(.key(.char("2")))
        app.draw()
        app.waitForBackgroundReads()
        var times: [Double] = []
        var rules = 0
        for _ in 0..<max(1, repetitions) {
            let begin = DispatchTime.now().uptimeNanoseconds
            app.handle(.key(.char("f")))
            app.draw()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - begin) / 1_000_000)
            if case .picker(let picker)? = app.modal { rules = picker.choices.filter { $0.value != nil }.count }
            app.handle(.key(KeyEvent(.escape)))
            app.draw()
        }
        return (times, rules)
    }
}
