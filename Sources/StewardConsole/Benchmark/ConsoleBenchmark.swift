import CDPCore
import CDPEngine
import Foundation
import TermUI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Drives the console headless over a workspace with a key script and measures it: time to the first
/// frame, key→frame latency percentiles, and peak memory. Figures to print; nothing passes or fails.
///
/// ```swift
/// let result = try ConsoleBenchmark(workspace: workspace, environment: .live(user: "bench")).run()
/// print(result.report)
/// ```
public struct ConsoleBenchmark {
    public var workspace: Workspace
    public var environment: Environment
    public var size: Size
    public var script: [InputEvent]

    public init(workspace: Workspace, environment: Environment, size: Size = Size(width: 120, height: 40), script: [InputEvent] = ConsoleBenchmark.defaultScript) {
        self.workspace = workspace
        self.environment = environment
        self.size = size
        self.script = script
    }

    /// What one run measured.
    public struct Result: Sendable {
        /// From creating the console to its first frame on the terminal (dashboard queries included).
        public var firstFrameMilliseconds: Double
        /// Each key's time from handling to its frame being on the terminal, in script order.
        public var keyLatenciesMilliseconds: [Double]
        /// The keys of the script, in order (as shown in help), to name the slow ones.
        public var keys: [String] = []
        /// Peak resident memory of the process so far (includes whatever ran before).
        public var peakMemoryBytes: Int
        /// Records in the quarantine table at the end of the script.
        public var quarantineRows: Int
        /// Store reads the quarantine table made (it must stay proportional to pages shown).
        public var tableFetches: Int

        public func percentile(_ p: Double) -> Double { KeyLatencies(keyLatenciesMilliseconds).percentile(p) }

        public var p50: Double { percentile(50) }
        public var p95: Double { percentile(95) }
        public var p99: Double { percentile(99) }
        public var maxLatency: Double { keyLatenciesMilliseconds.max() ?? 0 }

        /// The slowest keys: "#52 G 12.3 ms", slowest first.
        public func slowest(_ count: Int) -> [String] { KeyLatencies(keyLatenciesMilliseconds, keys: keys).slowest(count) }

        /// Lines for `cdp bench console`.
        public var report: String {
            func ms(_ value: Double) -> String { String(format: "%.2f ms", value) }
            return """
                console first frame:   \(ms(firstFrameMilliseconds))
                key→frame latency:     p50 \(ms(p50)) · p95 \(ms(p95)) · p99 \(ms(p99)) · max \(ms(maxLatency)) over \(keyLatenciesMilliseconds.count) keys
                peak memory:           \(String(format: "%.1f MB", Double(peakMemoryBytes) / 1_048_576))
                quarantine rows:       \(quarantineRows) (table store reads: \(tableFetches))
                slowest keys:          \(slowest(5).joined(separator: " · "))
                """
        }
    }

    /// Page through the quarantine table, jump to both ends, filter with `/`, open details, go back.
    public static var defaultScript: [InputEvent] {
        var keys: [KeyEvent] = [.char("2")]
        keys += Array(repeating: KeyEvent(.pageDown), count: 50)
        keys += [.char("G"), .char("g")]
        keys += Array(repeating: .char("j"), count: 30)
        keys += [KeyEvent(.enter), KeyEvent(.pageDown), KeyEvent(.escape)]
        keys += [.char("/")] + "gmail".map { KeyEvent.char($0) } + [KeyEvent(.enter)]
        keys += Array(repeating: KeyEvent(.pageDown), count: 20)
        keys += [KeyEvent(.enter), KeyEvent(.escape)]
        keys += [.char("/"), .ctrl("u"), KeyEvent(.enter)]
        keys += Array(repeating: KeyEvent(.pageDown), count: 20)
        keys += Array(repeating: .char("k"), count: 10)
        keys += [KeyEvent(.enter), KeyEvent(.escape), .char("1"), .char("2")]
        return keys.map { InputEvent.key($0) }
    }

    /// Runs the script once.
    public func run() -> Result {
        let backend = RecordingBackend(width: size.width, height: size.height)
        let start = DispatchTime.now().uptimeNanoseconds
        let app = ConsoleApp(workspace: workspace, environment: environment, theme: .dark, backend: backend)
        app.draw()
        let firstFrame = Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000
        var latencies: [Double] = []
        latencies.reserveCapacity(script.count)
        for event in script {
            backend.enqueue(event)
            let begin = DispatchTime.now().uptimeNanoseconds
            if let polled = backend.pollEvent(timeoutMilliseconds: 0) { app.handle(polled) }
            app.draw()
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - begin) / 1_000_000)
            if app.isFinished { break }
        }
        // Untimed: let reads still running in the background finish, so the next run starts clean.
        app.waitForBackgroundReads()
        let table = app.quarantineTableSource
        let keys = script.map { event -> String in
            if case .key(let key) = event { return key.description }
            return "event"
        }
        return Result(
            firstFrameMilliseconds: firstFrame, keyLatenciesMilliseconds: latencies, keys: keys, peakMemoryBytes: Self.peakMemoryBytes(),
            quarantineRows: table?.rowCount ?? 0, tableFetches: table?.fetches ?? 0)
    }

    /// Peak resident set size of this process.
    public static func peakMemoryBytes() -> Int {
        var usage = rusage()
        #if os(Linux)
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        return Int(usage.ru_maxrss) * 1024
        #else
        guard getrusage(RUSAGE_SELF, &usage) == 0 else { return 0 }
        return Int(usage.ru_maxrss)
        #endif
    }
}

extension ConsoleApp {
    /// The quarantine workbench's data source (for measurements).
    var quarantineTableSource: QuarantineTableSource? {
        (stacks[Self.tabIndex("quarantine")].first as? QuarantineListScreen)?.dataSource
    }
}
