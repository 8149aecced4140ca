import CDPCore
import CDPRepositories
import Foundation
import Testing

@testable import CDPEngine

/// The engine's services read and write the lake through the workspace's repositories, one protocol per
/// feature, never through the SQLite store itself: any store that implements them serves the engine.
@Suite struct LakeRepositoriesTests {
    /// A quarantine repository that serves another one's records and records every change asked of it.
    final class RecordingQuarantine: QuarantineRepository, @unchecked Sendable {
        let inner: any QuarantineRepository
        private let lock = NSLock()
        private var _changes: [(QuarantineID, QuarantineStatus)] = []
        var changes: [(QuarantineID, QuarantineStatus)] { lock.withLock { _changes } }
        /// When set, every read fails with this error, as a store that lost its connection would.
        let failure: StoreError?

        init(_ inner: any QuarantineRepository, failing failure: StoreError? = nil) {
            self.inner = inner
            self.failure = failure
        }

        func check() throws(StoreError) { if let failure { throw failure } }
        func quarantineRecords(_ filter: QuarantineFilter) throws(StoreError) -> [QuarantineRecord] {
            try check()
            return try inner.quarantineRecords(filter)
        }
        func quarantineRecords(ids: [QuarantineID]) throws(StoreError) -> [QuarantineRecord] {
            try check()
            return try inner.quarantineRecords(ids: ids)
        }
        func quarantineRecord(_ id: QuarantineID) throws(StoreError) -> QuarantineRecord? {
            try check()
            return try inner.quarantineRecord(id)
        }
        func quarantineCount(_ filter: QuarantineFilter) throws(StoreError) -> Int {
            try check()
            return try inner.quarantineCount(filter)
        }
        func quarantineIDs(_ filter: QuarantineFilter, order: QuarantineOrder, ascending: Bool) throws(StoreError) -> [Int64] {
            try check()
            return try inner.quarantineIDs(filter, order: order, ascending: ascending)
        }
        func forEachQuarantineSearchText(
            rewritingJSON: ((String) -> String)?, _ body: (Int64, UnsafeBufferPointer<UInt8>) -> Void
        ) throws(StoreError) {
            try check()
            try inner.forEachQuarantineSearchText(rewritingJSON: rewritingJSON, body)
        }
        func openQuarantineByRule() throws(StoreError) -> [(rule: String, count: Int)] {
            try check()
            return try inner.openQuarantineByRule()
        }
        func quarantineHistory(_ id: QuarantineID) throws(StoreError) -> [QuarantineHistoryEntry] {
            try check()
            return try inner.quarantineHistory(id)
        }
        func landedRecord(of id: QuarantineID) throws(StoreError) -> LandedRecord? {
            try check()
            return try inner.landedRecord(of: id)
        }
        func applyQuarantineChange(
            _ id: QuarantineID, expecting expected: QuarantineStatus, asRead: QuarantineRecord?, _ change: QuarantineChange, at: String
        ) throws(StoreError) {
            lock.withLock { _changes.append((id, change.status)) }
            try inner.applyQuarantineChange(id, expecting: expected, asRead: asRead, change, at: at)
        }
    }

    static func heldWorkspace(_ name: String) throws -> Workspace {
        let workspace = try EngineFixture.customerWorkspace(
            name, rules: EngineFixture.standardRules,
            files: ["customers.csv": "id,first,last,email,born\nC1,Ann,Lee,ann@example.com,1980-01-02\nC2,Bo,Ng,not an email,1990-03-04\n"])
        try EngineFixture.run(workspace)
        return workspace
    }

    @Test func aStewardsRejectionGoesThroughTheQuarantineRepositoryOfTheBundle() throws {
        let workspace = try Self.heldWorkspace("repositories-reject")
        let recording = RecordingQuarantine(workspace.repositories.quarantine)
        var repositories = workspace.repositories
        repositories.quarantine = recording
        let routed = Workspace(workspace, repositories: repositories)
        let held = try #require(try routed.reader(for: EngineFixture.clock).quarantineRecords(QuarantineFilter(statuses: [.open])).first)
        #expect(held.sourceKey == "C2")
        let rejected = try QuarantineService(workspace: routed, environment: EngineFixture.clock).reject(held.id, reason: "test data")
        #expect(rejected.status == .rejected)
        #expect(recording.changes.map(\.0) == [held.id])
        #expect(recording.changes.map(\.1) == [.rejected])
        // The change reached the lake: the workspace's own repositories read it back.
        #expect(try workspace.repositories.quarantine.quarantineRecord(held.id)?.status == .rejected)
    }

    @Test func aStoreErrorOfARepositoryReachesTheCallerAsAnEngineError() throws {
        let workspace = try Self.heldWorkspace("repositories-failing")
        var repositories = workspace.repositories
        repositories.quarantine = RecordingQuarantine(
            workspace.repositories.quarantine, failing: StoreError(.io, "the team store went away; reconnect and try again"))
        let routed = Workspace(workspace, repositories: repositories)
        let error = try #require(throws: EngineError.self) {
            try routed.reader(for: EngineFixture.clock).quarantineRecords(QuarantineFilter(statuses: [.open]))
        }
        #expect(error.code == .store)
        #expect(error.message.contains("the team store went away; reconnect and try again"))
        // The lake itself was never asked, and still holds the record.
        #expect(try workspace.reader(for: EngineFixture.clock).quarantineRecords(QuarantineFilter(statuses: [.open])).count == 1)
    }
}
