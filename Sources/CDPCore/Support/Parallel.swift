import Foundation

/// Splits `0..<count` into contiguous ranges, one per thread, and runs them at once: each range's work
/// writes only its own part of the output, so the result never depends on how the threads were scheduled.
public enum Parallel {
    /// The ranges `forEachRange` hands out: `parts` near-equal contiguous slices (fewer when `count` is small).
    public static func ranges(count: Int, parts: Int) -> [Range<Int>] {
        let slices = max(1, min(parts, count))
        let chunk = (count + slices - 1) / slices
        return (0..<slices).map { min(count, $0 * chunk)..<min(count, ($0 + 1) * chunk) }.filter { !$0.isEmpty }
    }

    /// Runs `body` once per range of `ranges(count:parts:)`, on up to `threads` threads; `body` gets the range and its index.
    public static func forEachRange(count: Int, threads: Int, _ body: @Sendable (Range<Int>, Int) -> Void) {
        let slices = ranges(count: count, parts: threads)
        if slices.count <= 1 {
            if let only = slices.first { body(only, 0) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: slices.count) { index in body(slices[index], index) }
    }
}

/// A mutable buffer handed to worker threads that each write a disjoint part of it.
public struct SharedOutput<Element>: @unchecked Sendable {
    public let base: UnsafeMutableBufferPointer<Element>
    public init(_ base: UnsafeMutableBufferPointer<Element>) { self.base = base }
    @inline(__always) public subscript(_ index: Int) -> Element {
        get { base[index] }
        nonmutating set { base[index] = newValue }
    }
}

/// A read-only buffer handed to worker threads.
public struct SharedInput<Element>: @unchecked Sendable {
    public let base: UnsafeBufferPointer<Element>
    public init(_ base: UnsafeBufferPointer<Element>) { self.base = base }
    @inline(__always) public subscript(_ index: Int) -> Element { base[index] }
}

extension Parallel {
    /// Runs `body` for every task index, handed out one by one to up to `threads` threads (for a few uneven
    /// tasks, such as one per column). Each task must write only its own output.
    public static func forEachTask(count: Int, threads: Int, _ body: @Sendable (Int) -> Void) {
        if threads <= 1 || count <= 1 {
            for task in 0..<count { body(task) }
            return
        }
        let next = TaskCounter()
        DispatchQueue.concurrentPerform(iterations: min(threads, count)) { _ in
            while let task = next.take(below: count) { body(task) }
        }
    }
}

/// Hands out task indexes once each across threads.
final class TaskCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    func take(below count: Int) -> Int? {
        lock.withLock {
            guard next < count else { return nil }
            defer { next += 1 }
            return next
        }
    }
}
