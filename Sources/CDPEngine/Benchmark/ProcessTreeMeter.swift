import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Wall time, CPU time and peak memory of a command together with every process it starts.
///
/// A Spark run is a JVM, Python workers and `cdp spark worker` processes: the figures of the one process we start
/// would miss most of its cost. The meter samples `/proc` while the command runs, summing the proportional set
/// size (PSS: shared pages split between the processes sharing them, so the JVM's libraries are not counted once
/// per process) of the whole tree, and takes CPU time from the kernel's account of reaped children, or from the
/// samples when a process outlived its parent's wait.
public struct ProcessTreeMeter: Sendable {
    /// What one command cost.
    public struct Measurement: Codable, Sendable, Equatable {
        public var wallSeconds: Double
        /// User + system time of the command and every process it started.
        public var cpuSeconds: Double
        /// The largest total PSS of the process tree seen at any sample.
        public var peakMemoryMegabytes: Double

        public init(wallSeconds: Double, cpuSeconds: Double, peakMemoryMegabytes: Double) {
            self.wallSeconds = wallSeconds
            self.cpuSeconds = cpuSeconds
            self.peakMemoryMegabytes = peakMemoryMegabytes
        }

        /// Commands run one after another: times add up, the peak is the largest one's.
        public static func sequence(_ parts: [Measurement]) -> Measurement {
            Measurement(
                wallSeconds: parts.reduce(0) { $0 + $1.wallSeconds }, cpuSeconds: parts.reduce(0) { $0 + $1.cpuSeconds },
                peakMemoryMegabytes: parts.map(\.peakMemoryMegabytes).max() ?? 0)
        }
    }

    /// Seconds between two samples of the process tree.
    public var interval: Double

    public init(interval: Double = 0.1) {
        self.interval = interval
    }

    /// Runs `executable` with `arguments` (output to `log`) and measures it and its descendants.
    /// - Throws: `EngineError.runFailed` when it cannot start or exits with an error, naming the log to read.
    public func measure(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil, log: URL) throws(EngineError) -> Measurement {
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        guard let output = try? FileHandle(forWritingTo: log) else {
            throw EngineError(.input, "cannot write the log \(log.path): check the scratch folder is writable")
        }
        defer { try? output.close() }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        let reapedBefore = Self.reapedChildrenCPUSeconds()
        let started = DispatchTime.now().uptimeNanoseconds
        do { try process.run() } catch {
            throw EngineError(.runFailed, "\(executable.path) could not start: \(error.localizedDescription)")
        }
        let root = process.processIdentifier
        var peakKilobytes = 0
        var ticksByProcess: [pid_t: Int] = [:]
        while process.isRunning {
            let tree = Self.sampleTree(of: root)
            peakKilobytes = max(peakKilobytes, tree.reduce(0) { $0 + $1.kilobytes })
            for sample in tree { ticksByProcess[sample.pid] = max(ticksByProcess[sample.pid] ?? 0, sample.cpuTicks) }
            usleep(useconds_t(interval * 1_000_000))
        }
        process.waitUntilExit()
        let wall = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let reaped = Self.reapedChildrenCPUSeconds() - reapedBefore
        let sampled = Double(ticksByProcess.values.reduce(0, +)) / Double(max(1, sysconf(Int32(_SC_CLK_TCK))))
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw EngineError(
                .runFailed,
                "\(executable.lastPathComponent) \(arguments.prefix(3).joined(separator: " ")) exited \(process.terminationStatus); "
                    + "its log is \(log.path) and ends: \(text.suffix(1500))")
        }
        return Measurement(wallSeconds: wall, cpuSeconds: max(reaped, sampled), peakMemoryMegabytes: Double(peakKilobytes) / 1024)
    }

    /// One process of the tree at one sample.
    struct ProcessSample: Equatable {
        var pid: pid_t
        var kilobytes: Int
        var cpuTicks: Int
    }

    /// `root` and its descendants now, each with its memory (PSS, else RSS) and CPU ticks so far.
    static func sampleTree(of root: pid_t) -> [ProcessSample] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        var parentOf: [pid_t: pid_t] = [:]
        var ticksOf: [pid_t: Int] = [:]
        for entry in entries {
            guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let fields = statFields(stat)
            else { continue }
            parentOf[pid] = fields.parent
            ticksOf[pid] = fields.cpuTicks
        }
        var childrenOf: [pid_t: [pid_t]] = [:]
        for (pid, parent) in parentOf { childrenOf[parent, default: []].append(pid) }
        var tree: [ProcessSample] = []
        var pending = parentOf[root] == nil ? [] : [root]
        while let pid = pending.popLast() {
            tree.append(ProcessSample(pid: pid, kilobytes: memoryKilobytes(of: pid), cpuTicks: ticksOf[pid] ?? 0))
            pending += childrenOf[pid] ?? []
        }
        return tree
    }

    /// The parent and user + system ticks from `/proc/PID/stat`; the command name in parentheses may hold spaces,
    /// so fields are counted after its closing parenthesis.
    static func statFields(_ stat: String) -> (parent: pid_t, cpuTicks: Int)? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the name: state(3) ppid(4) … utime(14) stime(15), so ppid is fields[1], utime fields[11].
        guard fields.count > 12, let parent = pid_t(fields[1]), let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return (parent, user + system)
    }

    /// PSS from `smaps_rollup` (Linux 4.14+), else the resident set from `statm`; 0 for a process already gone.
    static func memoryKilobytes(of pid: pid_t) -> Int {
        if let kilobytes = kilobytes(of: "Pss", in: "/proc/\(pid)/smaps_rollup") { return kilobytes }
        if let statm = try? String(contentsOfFile: "/proc/\(pid)/statm", encoding: .utf8),
            let pages = Int(statm.split(separator: " ").dropFirst().first ?? "")
        {
            return pages * Int(sysconf(Int32(_SC_PAGESIZE))) / 1024
        }
        return 0
    }

    /// The value of a `Key:   N kB` line of a `/proc` file (`/proc/meminfo`, `/proc/self/status`, `smaps_rollup`).
    static func kilobytes(of key: String, in path: String) -> Int? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") })
        else { return nil }
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }

    /// User + system time of every child of this process that has ended and been waited for, with their own
    /// waited-for descendants.
    static func reapedChildrenCPUSeconds() -> Double { cpuSeconds(RUSAGE_CHILDREN.rawValue) }

    /// User + system time `getrusage` gives for `who` (`RUSAGE_SELF` or `RUSAGE_CHILDREN`).
    static func cpuSeconds(_ who: Int32) -> Double {
        var usage = rusage()
        getrusage(who, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
