import Foundation
import Testing

/// What the scenarios run on both stores share: the ingested sample workspace with its users able to log in, and
/// the comparison of the two ends.
extension TeamStoreTests {
    /// Runs the `ingest_only` workflow on a sample workspace (``withSampleWorkspace(on:_:_:)``) and lets the
    /// sample's users log in to its store, if it has one.
    static func ingestSample(_ workspace: String, _ database: String?, _ run: ([String]) throws -> Subprocess.Result) async throws {
        let ran = try run(["run", "-w", workspace, "--workflow", "ingest_only"])
        try #require(ran.status == 0, "\(ran.output)")
        if let database { try await letSampleUsersLogIn(database) }
    }

    /// `object` as JSON with sorted keys, what a scenario returns for the stores to be compared by.
    static func sortedJSON(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    /// A command's JSON output as a list of objects.
    static func jsonObjects(_ result: Subprocess.Result) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]], "\(result.output)")
    }

    /// Runs `scenario` on the embedded lake and on the team store and expects both to end the same.
    static func expectSameOnBothStores(_ scenario: (Store) async throws -> String) async throws {
        let embedded = try await scenario(.embedded)
        let onStore = try await scenario(.postgres)
        #expect(onStore == embedded, "\(firstDifference(onStore, embedded))")
    }
}
