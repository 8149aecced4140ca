import CDPRepositories
import Foundation
import GRDB
import GRDBSQLite

/// Copies the write-ahead log into the database file from a thread of its own while a bulk write runs.
///
/// SQLite checkpoints on the writing connection once the log passes `wal_autocheckpoint` pages: the writer
/// then stops to copy every page it wrote into the database file and to sync it. During ingestion the
/// writer is the step that cannot be split, so the copying moves here. While this runs, the writer's
/// commit hook only reports the log's size, and this thread checkpoints once it passes the same size.
/// PASSIVE checkpoints never block the writer or a reader; the next write transaction after a complete
/// one starts the log over, so the log stays about as small as before.
final class WALCheckpointer: @unchecked Sendable {
    private let path: String
    let pages: Int32
    private let condition = NSCondition()
    private var due = false
    /// Log pages copied into the database file by the last checkpoint.
    private var copied: Int32 = 0
    private var stopped = false
    private var finished = false

    /// - Parameter pages: the log size (in pages) that starts a checkpoint.
    init(path: String, pages: Int32) {
        self.path = path
        self.pages = pages
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.stackSize = 256 << 10
        thread.start()
    }

    /// Called by the writer after each commit with the log's size in pages. A checkpoint is due once `pages`
    /// more pages were written since the last one copied: checkpointing after every commit would copy the
    /// pages every commit touches (the ends of the tables and indexes) over and over, and sync each time.
    func logGrew(to logPages: Int32) {
        condition.lock()
        if logPages < copied { copied = 0 }  // the log started over
        if logPages - copied >= pages {
            due = true
            condition.signal()
        }
        condition.unlock()
    }

    /// Stops once the checkpoint under way, if any, is done.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }

    private func run() {
        var connection: OpaquePointer?
        defer {
            sqlite3_close_v2(connection)
            condition.lock()
            finished = true
            condition.broadcast()
            condition.unlock()
        }
        // Without its own connection, the writer's own checkpoint at four times the size still bounds the log.
        // A connection learns the database is in WAL mode when it first reads it; until then a checkpoint
        // does nothing.
        guard sqlite3_open_v2(path, &connection, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK,
            sqlite3_exec(connection, "SELECT COUNT(*) FROM sqlite_master", nil, nil, nil) == SQLITE_OK
        else { return }
        while true {
            condition.lock()
            while !due && !stopped { condition.wait() }
            let stop = stopped
            due = false
            condition.unlock()
            if stop { return }
            // SQLITE_BUSY (another checkpoint running) is fine: the next commit asks again.
            var logPages: Int32 = 0
            var backfilled: Int32 = 0
            if sqlite3_wal_checkpoint_v2(connection, nil, SQLITE_CHECKPOINT_PASSIVE, &logPages, &backfilled) == SQLITE_OK {
                condition.lock()
                copied = backfilled
                condition.unlock()
            }
        }
    }
}

extension LakeStore {
    /// Runs `body`, a bulk write, with the log checkpointed by a thread of its own (see ``WALCheckpointer``)
    /// rather than by the writer, once it holds `pages` pages. In memory, `body` just runs.
    public func withBackgroundCheckpoints<T, E: Error>(everyPages pages: Int32 = autocheckpointPages, _ body: () throws(E) -> T) throws(E) -> T {
        guard let path else { return try body() }
        let checkpointer = WALCheckpointer(path: path, pages: pages)
        let context = Unmanaged.passUnretained(checkpointer).toOpaque()
        writer.writeWithoutTransaction { db in
            _ = sqlite3_wal_hook(db.sqliteConnection, { context, connection, name, logPages in
                guard let context else { return SQLITE_OK }
                let checkpointer = Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue()
                checkpointer.logGrew(to: logPages)
                // The log starts over only at a transaction that finds it all copied; while the writer keeps
                // committing, the thread's checkpoints never quite catch up, so at four times the size the
                // writer copies the little left itself, as it would have without the thread.
                if logPages >= 4 * checkpointer.pages {
                    _ = sqlite3_wal_checkpoint_v2(connection, name, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
                }
                return SQLITE_OK
            }, context)
        }
        checkpointer.start()
        defer {
            // Putting the automatic checkpoint back replaces the hook, before the checkpointer goes away.
            writer.writeWithoutTransaction { db in _ = sqlite3_wal_autocheckpoint(db.sqliteConnection, Self.autocheckpointPages) }
            checkpointer.stop()
            withExtendedLifetime(checkpointer) {}
        }
        return try body()
    }
}
