import CDPCore
import Foundation
import Testing

@testable import CDPEngine

/// A run told to stop in the middle of a file (a user's Ctrl-C, a task's timeout) ends every ingestion
/// thread, and the next run lands the whole file: nothing lost, nothing twice.
struct IngestStopTests {
    @Test(.timeLimit(.minutes(2)))
    func aStoppedIngestionEndsItsThreadsAndIsRedoneWhole() throws {
        #expect(SourceIngestor.standardisesApart(.customer))  // This source has a standardiser thread.
        let rows = (1...3_000).map { "C\($0),Ann\($0),Lee,ann\($0)@example.com,1980-01-02" }
        let workspace = try EngineFixture.customerWorkspace(
            "stop", rules: "", files: ["customers.csv": (["id,first,last,email,born"] + rows).joined(separator: "\n") + "\n"])
        let source = try workspace.source("crm")
        var ingestor = SourceIngestor(workspace: workspace, source: source, environment: EngineFixture.clock, run: nil)
        ingestor.chunkSize = 100
        let chunks = LockedBox(0)
        let stopped = #expect(throws: EngineError.self) {
            _ = try ingestor.ingest(progress: { _ in }, shouldStop: {
                chunks.value += 1
                return chunks.value > 3 ? EngineError(.refused, "stopped by the test") : nil
            })
        }
        #expect(stopped?.message == "stopped by the test")

        ingestor.chunkSize = 20_000
        let summary = try ingestor.ingest()
        #expect(summary.counts.read == 3_000)
        #expect(summary.counts.silver == 3_000)
        #expect(try LakeVerifier(workspace: workspace).verify().problems == [])
    }
}
