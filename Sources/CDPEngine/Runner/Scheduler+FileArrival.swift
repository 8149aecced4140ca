import CDPCore
import CDPStore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Scheduler {
    /// One look at the folder a workflow's file arrival trigger watches, by polling: every regular file in it
    /// (and its subfolders; names starting with `.` are left out, as partial uploads usually are) is compared
    /// with what the last look saw. A file new or changed since is timed from this look; once it has not
    /// changed for `wait_after_last_change_seconds` it has settled. Settled files that the lake has not
    /// ingested (by content: a file whose SHA-256 is an ingested batch never starts a run) start one run
    /// for them all (trigger `file_arrival`, audited as `run.start` with the files as its reason), at most
    /// once per `min_time_between_triggers_seconds`. A file that started a run, or was found ingested
    /// already, is not looked at again until it changes.
    func look(
        at arrival: PlannedFileArrival, of name: String, plan: WorkflowPlan, book: ScheduleBook,
        observer: @escaping @Sendable (RunEvent) -> Void
    ) throws(EngineError) -> [Event] {
        let now = environment.now()
        let listing = WatchedFolder.list(workspace.root, arrival.folder)
        let seen = try book.update { (entries) throws(EngineError) -> (firstLook: Bool, settled: [String], blocked: Bool) in
            var entry = entries[name] ?? ScheduleBook.Entry()
            defer { entries[name] = entry }
            let firstLook = entry.files == nil
            let before = entry.files ?? [:]
            var files: [String: ScheduleBook.WatchedFile] = [:]
            for (path, state) in listing {
                if let known = before[path], known.size == state.size, known.modified == state.modified {
                    files[path] = known
                } else {
                    files[path] = ScheduleBook.WatchedFile(size: state.size, modified: state.modified, changedAt: now, handled: false)
                }
            }
            entry.files = files
            let paused = entry.paused ?? arrival.pausedInFile
            let tooSoon = entry.lastTrigger.map { now - $0 < arrival.minTimeBetweenTriggers } ?? false
            let settled = files.filter { !$0.value.handled && now - $0.value.changedAt >= arrival.waitAfterLastChange }.keys.sorted()
            return (firstLook, settled, paused || tooSoon)
        }
        var events: [Event] = []
        if seen.firstLook {
            events.append(
                Event(
                    workflow: name, kind: .watching, missed: 0,
                    message: "watching \(arrival.folder)/ for new files (\(Self.describe(arrival)))"))
        }
        guard !seen.settled.isEmpty, !seen.blocked else { return events }

        // Files the lake holds already (landed by another run, or copied in twice) start nothing.
        let ingested = try storeCall { () throws(StoreError) in
            Set(try workspace.repositories.batches.batches().filter { $0.state == .ingested }.map(\.sha256))
        }
        var fresh: [String] = []
        for path in seen.settled {
            let file = workspace.root.appendingPathComponent(path)
            guard let handle = try? InboxFile.openForReading(file.path, displayName: path) else { continue }  // gone or swapped meanwhile
            defer { try? handle.close() }
            let digest = try storeCall { () throws(StoreError) in try FileDigest.sha256(readingFrom: handle, name: path) }
            if !ingested.contains(digest.hex) { fresh.append(path) }
        }
        let known = Set(seen.settled).subtracting(fresh)
        if !known.isEmpty { try markHandled(known, of: name, in: book, trigger: nil) }
        guard !fresh.isEmpty else { return events }

        let shown =
            fresh.count <= 3 ? fresh.joined(separator: ", ") : fresh.prefix(3).joined(separator: ", ") + " and \(fresh.count - 3) more"
        let files = "\(fresh.count) new file\(fresh.count == 1 ? "" : "s") in \(arrival.folder)/ (\(shown))"
        var runner = WorkflowRunner(workspace: workspace, environment: environment, trigger: "file_arrival")
        runner.cause = "file arrival: " + fresh.joined(separator: ", ")
        do {
            let summary = try runner.run(plan, observer: observer)
            try markHandled(Set(fresh), of: name, in: book, trigger: (now, summary.id))
            events.append(
                Event(
                    workflow: name, kind: .started, run: summary.id, state: summary.state, missed: 0,
                    message: "run \(summary.id) for \(files) \(summary.state.rawValue)"))
        } catch  where error.code == .busy {
            events.append(
                Event(workflow: name, kind: .busy, missed: 0, message: "\(files), but \(error.message); trying again at the next look"))
        } catch {
            // Refused or stopped: the files are spent, said, and do not start another run until they change.
            try markHandled(Set(fresh), of: name, in: book, trigger: (now, nil))
            events.append(
                Event(
                    workflow: name, kind: .failed, missed: 0,
                    message: "\(files), but the run could not start or was stopped: \(error.description)"))
        }
        return events
    }

    private func markHandled(_ paths: Set<String>, of name: String, in book: ScheduleBook, trigger: (at: Double, run: RunID?)?)
        throws(EngineError)
    {
        try book.update { (entries) throws(EngineError) in
            var entry = entries[name] ?? ScheduleBook.Entry()
            for path in paths { entry.files?[path]?.handled = true }
            if let trigger {
                entry.lastTrigger = trigger.at
                if let run = trigger.run { entry.lastRun = run }
            }
            entries[name] = entry
        }
    }

    /// "a file counts once unchanged for 30 s; at most one run every 60 s".
    static func describe(_ arrival: PlannedFileArrival) -> String {
        let wait =
            arrival.waitAfterLastChange > 0
            ? "a file counts once unchanged for \(Int(arrival.waitAfterLastChange)) s" : "a file counts as soon as it is seen unchanged"
        let gap =
            arrival.minTimeBetweenTriggers > 0
            ? "at most one run every \(Int(arrival.minTimeBetweenTriggers)) s" : "no minimum time between runs"
        return "\(wait); \(gap)"
    }

    /// When a file arrival trigger next has something to decide: a file settles, or the minimum time between
    /// runs has passed with settled files waiting. Nil when nothing waits.
    func nextArrivalDecision(_ arrival: PlannedFileArrival, _ entry: ScheduleBook.Entry?) -> Double? {
        guard let entry, let files = entry.files else { return nil }
        let waiting = files.values.filter { !$0.handled }
        guard !waiting.isEmpty, !(entry.paused ?? arrival.pausedInFile) else { return nil }
        let settles = waiting.map { $0.changedAt + arrival.waitAfterLastChange }.min() ?? 0
        let allowed = entry.lastTrigger.map { $0 + arrival.minTimeBetweenTriggers } ?? 0
        return max(settles, allowed)
    }
}

/// The regular files below a folder of the workspace, by path relative to the workspace, with their size
/// and modification time: what a file arrival trigger compares between looks.
enum WatchedFolder {
    struct FileState: Hashable {
        var size: Int64
        var modified: Double
    }

    /// Symbolic links are not followed and names starting with `.` are left out; a folder that does not
    /// exist lists nothing (it may be created later).
    static func list(_ root: URL, _ folder: String) -> [String: FileState] {
        var found: [String: FileState] = [:]
        var queue = [folder]
        while let next = queue.popLast() {
            let path = root.appendingPathComponent(next).path
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { continue }
            for name in names where !name.hasPrefix(".") {
                let relative = "\(next)/\(name)"
                var status = stat()
                guard lstat("\(path)/\(name)", &status) == 0 else { continue }
                switch status.st_mode & S_IFMT {
                case S_IFREG:
                    let modified = Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1e9
                    found[relative] = FileState(size: Int64(status.st_size), modified: modified)
                case S_IFDIR:
                    queue.append(relative)
                default:
                    continue
                }
            }
        }
        return found
    }
}
