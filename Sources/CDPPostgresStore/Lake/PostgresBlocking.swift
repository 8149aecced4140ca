import Dispatch
import Synchronization

/// Team store work run from synchronous code (the engine's repositories, the CLI), waited for on the calling
/// thread. Call it from a thread of its own or the main thread, never from inside a Swift concurrency task.
public enum PostgresBlocking {
    public static func wait<T: Sendable>(_ body: @escaping @Sendable () async throws(PostgresStoreError) -> T) throws(PostgresStoreError)
        -> T
    {
        let outcome = Outcome<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            let result: Result<T, PostgresStoreError>
            do throws(PostgresStoreError) { result = .success(try await body()) } catch { result = .failure(error) }
            outcome.result.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        switch outcome.result.withLock({ $0 }) {
        case .success(let value): return value
        case .failure(let error): throw error
        case nil: throw PostgresStoreError(.database, "the team store's work ended without a result")
        }
    }

    private final class Outcome<T: Sendable>: Sendable {
        let result = Mutex<Result<T, PostgresStoreError>?>(nil)
    }
}
