import CDPEngine
import Foundation
import Testing

@testable import StewardConsole

/// The screens' background reads: a key never waits for the lake (a bulk release may be writing to it); a screen
/// shows what it read last until the next read is in.
@Suite struct BackgroundRefreshTests {
    /// A read held until the test lets it go.
    final class Gate: @unchecked Sendable {
        let started = DispatchSemaphore(value: 0)
        let go = DispatchSemaphore(value: 0)
        func pass() {
            started.signal()
            go.wait()
        }
    }

    @Test func aReadUnderWayNeverHoldsUpTheScreen() {
        let refresh = BackgroundRefresh<Int>()
        let gate = Gate()
        refresh.start { gate.pass(); return 1 }
        gate.started.wait()
        // The read is stuck in the lake: taking returns at once with nothing.
        #expect(!refresh.take())
        #expect(refresh.value == nil)
        #expect(refresh.isReading)
        gate.go.signal()
        refresh.wait()
        #expect(refresh.value == 1)
        #expect(!refresh.isReading)
    }

    @Test func theLastValueStaysUntilTheNextReadIsIn() {
        let refresh = BackgroundRefresh<Int>()
        refresh.start { 1 }
        refresh.wait()
        let gate = Gate()
        refresh.start { gate.pass(); return 2 }
        gate.started.wait()
        // A second start while one runs does not start another.
        refresh.start { Issue.record("a second read started while one was under way"); return 3 }
        #expect(!refresh.take())
        #expect(refresh.value == 1)
        // Only the first read waits: the screen already has something to show.
        refresh.waitForFirst()
        #expect(refresh.value == 1)
        gate.go.signal()
        refresh.wait()
        #expect(refresh.value == 2)
    }

    @Test func aReadAskedForAfterAChangeFollowsTheOneUnderWay() {
        let refresh = BackgroundRefresh<String>()
        let gate = Gate()
        refresh.start { gate.pass(); return "before the change" }
        gate.started.wait()
        refresh.restart { "after the change" }
        gate.go.signal()
        refresh.wait()
        #expect(refresh.value == "after the change")
    }

    @Test func aFailedReadKeepsWhatWasShownAndSaysWhy() {
        let refresh = BackgroundRefresh<Int>()
        refresh.start { 7 }
        refresh.wait()
        refresh.start { () throws(EngineError) -> Int in throw EngineError(.store, "the lake is gone") }
        refresh.wait()
        #expect(refresh.value == 7)
        #expect(refresh.failure?.message == "the lake is gone")
        refresh.start { 8 }
        refresh.wait()
        #expect(refresh.failure == nil)
        #expect(refresh.value == 8)
    }
}
