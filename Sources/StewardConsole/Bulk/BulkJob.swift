import CDPEngine
import Foundation

/// A bulk change or decision (or its undo) running on a thread of its own, so the console stays responsive: the
/// screen polls ``progress`` and ``result`` on its ticks, and ``stop()`` asks it to end after the current batch.
final class BulkJob<Outcome: Sendable> {
    /// Progress and the stop request, shared with the job's thread.
    private final class State: @unchecked Sendable {
        private let lock = NSLock()
        private var current: BulkProgress
        private var stopAsked = false

        init(total: Int) { current = BulkProgress(done: 0, total: total) }

        /// Takes the job's progress; false asks it to stop.
        func report(_ progress: BulkProgress) -> Bool {
            lock.withLock {
                current = progress
                return !stopAsked
            }
        }

        var progress: BulkProgress { lock.withLock { current } }
        func stop() { lock.withLock { stopAsked = true } }
    }

    private let state: State
    private let read: BackgroundRead<Outcome, EngineError>

    /// Runs `body` in the background; it reports through the closure it is given (false: stop after this batch).
    /// - Parameter gate: called on the job's thread before `body`; the job starts once it returns (tests hold a job
    ///   there to act on it at a known point, instead of racing it).
    init(
        total: Int, gate: (@Sendable () -> Void)? = nil,
        _ body: @escaping @Sendable (_ progress: (BulkProgress) -> Bool) throws(EngineError) -> Outcome
    ) {
        let state = State(total: total)
        self.state = state
        read = BackgroundRead { () throws(EngineError) in
            gate?()
            return try body { state.report($0) }
        }
    }

    var progress: BulkProgress { state.progress }

    /// The outcome once done; nil while it runs.
    var result: Result<Outcome, EngineError>? { read.result }

    /// Asks the job to stop after the batch it is in.
    func stop() { state.stop() }

    /// Waits for the outcome (tests).
    @discardableResult
    func wait() -> Result<Outcome, EngineError> { read.wait() }
}
