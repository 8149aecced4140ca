import Foundation

extension Thread {
    /// Runs `work` on a new thread that lets go of it, and of everything it captured, before the thread ends.
    ///
    /// A `Thread` keeps its block until the thread's exit destructors run, after libdispatch has torn down the
    /// thread's own state. What `work` held for the last time (a workspace, and with it the lake's GRDB connections
    /// and their dispatch queues) was freed there, and a dispatch queue freed on such a thread writes into freed
    /// memory: the heap is corrupted (`malloc_consolidate(): unaligned fastbin chunk detected`, much later).
    public static func start(stackSize: Int? = nil, name: String? = nil, _ work: @escaping @Sendable () -> Void) {
        let pending = LockedBox<(@Sendable () -> Void)?>(work)
        let thread = Thread {
            let work = pending.value
            pending.value = nil
            work?()
        }
        if let stackSize { thread.stackSize = stackSize }
        if let name { thread.name = name }
        thread.start()
    }
}
