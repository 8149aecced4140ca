import CDPCore
import CDPRepositories
import Foundation
import GRDB

/// What the last match run left for the next one (migration `v15-match-state`): kept as one blob the engine encodes.
extension LakeStore {
    public var keepsMatchState: Bool { true }

    public func matchState() throws(StoreError) -> [UInt8]? {
        try read("read what the last match run left") { db in
            try Data.fetchOne(db, sql: "SELECT state FROM match_state WHERE id = 1").map { [UInt8]($0) }
        }
    }

    public func saveMatchState(_ state: [UInt8], run: MatchRunID) throws(StoreError) {
        try write("keep what the match run leaves for the next") { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO match_state (id, run_id, state) VALUES (1, ?, ?)", arguments: [run.rawValue, Data(state)])
        }
    }
}
