import CDPCore
import CDPEngine
import CDPRepositories
import Foundation
import TermUI

/// How soon a console shows what another steward did (#17), on whichever store the workspace uses: another session
/// claims the workbench's first record and lets go of it, in turns, while the console runs its own loop (a tick
/// every ``ConsoleApp/tickInterval``, a frame when something changed), and each delay from the other session's
/// commit to the frame showing it is measured. Also what a look at the lake costs when nothing changed, which the
/// console pays every ``ConsoleApp/watchInterval`` on a background thread.
extension ConsoleBenchmark {
    public struct SecondStewardResult: Sendable {
        /// From the other session's commit to the console's frame showing it, per round.
        public var delaysMilliseconds: [Double]
        /// One look at what changed when nothing did, per look.
        public var idleLookMilliseconds: [Double]
        /// Rounds whose change did not show within ``SecondStewardResult/patience``.
        public var missed: Int
        public static let patience: TimeInterval = 10

        public var report: String {
            let delays = KeyLatencies(delaysMilliseconds), looks = KeyLatencies(idleLookMilliseconds)
            return String(
                format: """
                    another steward's change → frame: median %.0f ms · p90 %.0f ms · max %.0f ms over %d changes%@
                    a look when nothing changed:      median %.2f ms · max %.2f ms over %d looks (every %.1f s, in the background)
                    """, delays.percentile(50), delays.percentile(90), delaysMilliseconds.max() ?? 0, delaysMilliseconds.count,
                missed > 0 ? " (\(missed) not shown within \(Int(Self.patience)) s)" : "", looks.percentile(50),
                idleLookMilliseconds.max() ?? 0,
                idleLookMilliseconds.count, ConsoleApp.watchInterval)
        }
    }

    /// Runs `rounds` changes by another session (a second connection to the lake, as the same user) against a console
    /// showing the workbench.
    /// - Throws: `EngineError` when the lake cannot be opened again, holds no record to claim, or refuses the claim.
    public func runSecondSteward(rounds: Int) throws(EngineError) -> SecondStewardResult {
        let backend = RecordingBackend(width: size.width, height: size.height)
        let app = ConsoleApp(workspace: workspace, environment: environment, theme: .dark, backend: backend)
        app.handle(.key(KeyEvent(.char("2"))))
        app.draw()
        app.waitForBackgroundReads()
        guard let table = app.quarantineTableSource, let first = table.id(at: 0) else {
            throw EngineError(.notFound, "the workbench shows no held record for another session to claim; run the pipeline first")
        }
        let other = try Workspace(at: workspace.root.path)
        let peer = WorkAssignments(workspace: other, environment: environment)
        let item = WorkItem.quarantine(QuarantineID(first))
        if table.hold(on: first) != nil { try peer.unassign([item]) }
        let watch = LakeWatch(workspace: workspace)
        var mark = try watch.changes(after: nil).mark
        var result = SecondStewardResult(delaysMilliseconds: [], idleLookMilliseconds: [], missed: 0)
        var nextTick = Date()
        for round in 0..<rounds {
            // The console runs a while first, so each change lands at another point of its tick and look cycle.
            runLoop(app, &nextTick, for: 0.2 + 0.37 * Double(round % 4))
            let claiming = round % 2 == 0
            if claiming { try peer.claim([item]) } else { try peer.unassign([item]) }
            let committed = DispatchTime.now().uptimeNanoseconds
            let shown = runLoop(app, &nextTick, for: SecondStewardResult.patience) { (table.hold(on: first) != nil) == claiming }
            if shown {
                result.delaysMilliseconds.append(Double(DispatchTime.now().uptimeNanoseconds - committed) / 1_000_000)
            } else {
                result.missed += 1
            }
            // What a look costs when nothing changed (the console's own looks go on meanwhile).
            mark = try watch.changes(after: mark).mark
            let begin = DispatchTime.now().uptimeNanoseconds
            mark = try watch.changes(after: mark).mark
            result.idleLookMilliseconds.append(Double(DispatchTime.now().uptimeNanoseconds - begin) / 1_000_000)
        }
        if table.hold(on: first) != nil { try peer.unassign([item]) }
        app.quit()
        return result
    }

    /// The console's event loop as ``ConsoleApp/run()`` runs it, without keys: a wait of 50 ms for a key, a tick
    /// every tick interval (kept in `nextTick` across calls, so changes land at every point of the cycle), a finished
    /// look taken between ticks, and a frame when something changed; until `shown` holds after a frame or `seconds`
    /// pass. Returns whether it held.
    @discardableResult
    private func runLoop(_ app: ConsoleApp, _ nextTick: inout Date, for seconds: TimeInterval, until shown: () -> Bool = { false }) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            usleep(50_000)
            var dirty = false
            if Date() >= nextTick {
                nextTick = Date().addingTimeInterval(ConsoleApp.tickInterval)
                dirty = app.tick()
            } else {
                dirty = app.takeFinishedLook()
            }
            if dirty {
                app.draw()
                if shown() { return true }
            }
        }
        return false
    }
}
