import CDPCore
import Foundation

extension Scheduler {
    /// `cdp scheduler`'s loop: looks at every workflow (``tick(observer:)``), then waits until the next schedule
    /// falls due, a file arrives in a folder a trigger watches (inotify ends the wait at once), or `poll` seconds
    /// have passed, and looks again, until `shouldStop` says yes (asked after each look).
    /// - Parameters:
    ///   - observer: sees the events of each run started.
    ///   - looked: what each look did.
    /// - Throws: what a look throws (the schedule book cannot be read or written).
    public func serve(
        poll: Double, observer: @escaping @Sendable (RunEvent) -> Void, looked: ([Event]) -> Void, shouldStop: () -> Bool
    ) throws(EngineError) {
        let watcher = FolderWatcher()
        while true {
            looked(try tick(observer: observer))
            if shouldStop() { return }
            let now = environment.now()
            watcher.watch(watchedFolders())
            // Something due and not done (the lake was busy) is looked at again a second later, not at once.
            let due = nextFire() ?? .infinity
            let wait = min(poll, due > now ? max(0.1, due - now) : 1)
            // The short pause after a wake lets a burst of arrivals be seen in one look.
            if watcher.wait(upTo: wait) { Thread.sleep(forTimeInterval: 0.1) }
        }
    }
}
