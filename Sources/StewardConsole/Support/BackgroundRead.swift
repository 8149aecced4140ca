import CDPEngine
import CDPRepositories
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A store read on a background thread, so a screen refreshes without holding up keys: the screen
/// polls ``result`` on its ticks and keeps showing what it had until the read is done.
final class BackgroundRead<Value: Sendable, Failure: Error>: @unchecked Sendable {
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)
    private var finished: Result<Value, Failure>?

    init(_ body: @escaping @Sendable () throws(Failure) -> Value) {
        // A thread of its own, niced, rather than a shared dispatch thread: on a busy machine the key
        // path keeps the CPU, and the nice value does not stick to a pool thread others reuse.
        Thread.start(name: "cdp background read") { [self] in
            #if os(Linux)
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
            #endif
            let outcome = Result { () throws(Failure) in try body() }
            lock.lock()
            finished = outcome
            lock.unlock()
            done.signal()
        }
    }

    /// The outcome once the read is done; nil while it runs.
    var result: Result<Value, Failure>? {
        lock.lock()
        defer { lock.unlock() }
        return finished
    }

    /// Waits at most `timeout` seconds for the outcome; nil when it is not there by then.
    func wait(timeout: TimeInterval) -> Result<Value, Failure>? {
        if let result { return result }
        guard done.wait(timeout: .now() + timeout) == .success else { return nil }
        done.signal()
        return result
    }

    /// Waits for the outcome.
    func wait() -> Result<Value, Failure> {
        while true {
            if let result { return result }
            done.wait()
            done.signal()
        }
    }
}
