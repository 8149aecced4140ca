import CDPCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One workflow run at a time per workspace: an exclusive `flock` on `lake/run.lock`, held for the whole run.
///
/// Two runs on one lake redo each other's half-written batches (a batch not yet `ingested` is taken as left by
/// a killed run), so the second run must not start while the first holds the lake. The kernel releases a
/// `flock` the moment the holding process ends, however it ends (a `kill -9` included), so a lock is never
/// left behind; a PID written in the lake is not enough on its own, since it outlives its process and PIDs
/// are reused. `flock` (not `fcntl`) because its lock belongs to the open file, so two runners in one process
/// (the console, a test) exclude each other too, and closing another descriptor of the file does not drop it.
///
/// The file also says who holds the lake (run, workflow, actor, start, pid), for the message a refused run
/// prints, and keeps a failure the holder could not record in the lake (a full disk) for the next run.
public final class RunLock: Sendable {
    /// Who holds (or last held) the lake, as written in the lock file.
    public struct Holder: Sendable, Codable, Hashable {
        public var run: RunID?
        public var workflow: String
        public var actor: String
        public var trigger: String
        public var startedAt: String
        public var pid: Int32
        /// Why the run failed, when it could not write that into the lake; the next run records it.
        public var unrecordedFailure: String?

        public init(
            run: RunID? = nil, workflow: String, actor: String, trigger: String, startedAt: String, pid: Int32 = getpid(),
            unrecordedFailure: String? = nil
        ) {
            self.run = run
            self.workflow = workflow
            self.actor = actor
            self.trigger = trigger
            self.startedAt = startedAt
            self.pid = pid
            self.unrecordedFailure = unrecordedFailure
        }

        enum CodingKeys: String, CodingKey {
            case run, workflow, actor, trigger, pid
            case startedAt = "started_at"
            case unrecordedFailure = "unrecorded_failure"
        }

        /// "R12 (customer_pipeline, ann, cli, pid 4242)": short, for a status line.
        public var summary: String {
            "\(run.map(\.description) ?? "a run") (\(workflow), \(actor), \(trigger), pid \(pid))"
        }

        /// "run R12 of customer_pipeline, started 2026-12-06T14:00:00Z by ann (cli, pid 4242)".
        public var description: String {
            "\(run.map { "run \($0)" } ?? "a run (not recorded yet)") of \(workflow), started \(startedAt) by \(actor) (\(trigger), pid \(pid))"
        }
    }

    /// How a run that finds the lake held behaves.
    public struct Waiting: Sendable {
        /// How long to wait at most; `nil` waits as long as it takes.
        public var timeoutSeconds: Double?
        /// Told once, when the lake is found held, with who holds it (`nil` when the holder has not said yet).
        public var onWait: @Sendable (Holder?) -> Void

        public init(timeoutSeconds: Double? = nil, onWait: @escaping @Sendable (Holder?) -> Void = { _ in }) {
            self.timeoutSeconds = timeoutSeconds
            self.onWait = onWait
        }
    }

    public static let fileName = "run.lock"

    public let file: URL
    private let descriptor: Int32
    /// What the lock file said when the lock was taken: the last holder, and a failure it could not record.
    public let previous: Holder?

    private init(file: URL, descriptor: Int32, previous: Holder?) {
        self.file = file
        self.descriptor = descriptor
        self.previous = previous
    }

    deinit { close(descriptor) }

    /// The lock file of the lake in `lakeFolder`.
    public static func file(in lakeFolder: URL) -> URL { lakeFolder.appendingPathComponent(fileName) }

    /// Takes the lake's run lock for `holder`, and writes who holds it into the lock file.
    /// - Parameter waiting: `nil` refuses at once when the lake is held; otherwise waits (polling every 50 ms)
    ///   up to its timeout.
    /// - Throws: `EngineError.busy` naming the run that holds the lake (when refused, or still held at the
    ///   timeout); `.workspace` when the lock file cannot be opened.
    public static func acquire(in lakeFolder: URL, for holder: Holder, waiting: Waiting? = nil) throws(EngineError) -> RunLock {
        let file = file(in: lakeFolder)
        let descriptor = open(file.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw EngineError(.workspace, "cannot open the run lock \(file.path): \(String(cString: strerror(errno))); check the lake folder's permissions")
        }
        let started = DispatchTime.now().uptimeNanoseconds
        var told = false
        var probes = 0
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let failure = errno
            guard failure == EWOULDBLOCK || failure == EINTR else {
                close(descriptor)
                throw EngineError(.workspace, "cannot lock \(file.path): \(String(cString: strerror(failure)))")
            }
            if failure == EINTR { continue }
            let current = readHolder(descriptor)
            guard let waiting else {
                // `state(in:)` takes the lock shared for an instant: look again before refusing.
                probes += 1
                if probes < 5 {
                    usleep(10_000)
                    continue
                }
                close(descriptor)
                throw busy(current, lakeFolder: lakeFolder, waited: nil)
            }
            if !told {
                waiting.onWait(current)
                told = true
            }
            let waited = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            if let timeout = waiting.timeoutSeconds, waited >= timeout {
                close(descriptor)
                throw busy(current, lakeFolder: lakeFolder, waited: timeout)
            }
            usleep(50_000)
        }
        let lock = RunLock(file: file, descriptor: descriptor, previous: readHolder(descriptor))
        lock.record(holder)
        return lock
    }

    /// Whether a run holds the lake now, and who it says it is (`nil` while it has not written that yet).
    /// Takes, and at once releases, a shared lock to tell; never waits.
    public static func state(in lakeFolder: URL) -> (held: Bool, holder: Holder?) {
        let descriptor = open(file(in: lakeFolder).path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return (false, nil) }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_SH | LOCK_NB) == 0 else { return (true, readHolder(descriptor)) }
        flock(descriptor, LOCK_UN)
        return (false, nil)
    }

    /// Rewrites the lock file with `holder` (its run id once recorded, or a failure the lake could not take).
    /// Best effort: the lock itself does not depend on the file's text.
    public func record(_ holder: Holder) {
        guard let data = try? JSONEncoder.sortedLines.encode(holder) else { return }
        _ = ftruncate(descriptor, 0)
        data.withUnsafeBytes { bytes in _ = pwrite(descriptor, bytes.baseAddress, bytes.count, 0) }
        _ = fsync(descriptor)
    }

    /// Releases the lock (also released when the lock is freed or the process ends).
    public func release() { flock(descriptor, LOCK_UN) }

    private static func readHolder(_ descriptor: Int32) -> Holder? {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        var offset: off_t = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, offset) }
            guard count > 0 else { break }
            data.append(contentsOf: buffer[0..<count])
            offset += off_t(count)
            if data.count > 1 << 16 { break }
        }
        return try? JSONDecoder().decode(Holder.self, from: data)
    }

    private static func busy(_ holder: Holder?, lakeFolder: URL, waited: Double?) -> EngineError {
        let who = holder.map(\.description) ?? "another run (it has not said which yet)"
        let workspace = lakeFolder.deletingLastPathComponent().path
        if let waited {
            return EngineError(
                .busy,
                "waited \(Self.seconds(waited)) for the lake of \(workspace), and \(who) still holds it; one run at a time per workspace. Try again later, or wait longer (--wait-timeout)")
        }
        return EngineError(
            .busy,
            "the lake is busy: \(who) holds it; one run at a time per workspace (\(workspace)). Wait for it with `cdp run --wait`, or follow it with `cdp runs`")
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : String(format: "%.1f s", value)
    }
}

extension JSONEncoder {
    /// Sorted keys, one line: stable text for small files.
    static var sortedLines: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
