import CDPCore
import Foundation
import Testing

@testable import CDPEngine

/// Progress of a large file is estimated from its size from the first chunk written: the parser reports
/// bytes read only after a whole 8 MiB read, long after the writer's first chunks.
struct IngestProgressTests {
    @Test(.timeLimit(.minutes(3)))
    func theFirstProgressOfALargeFileEstimatesItsRowsFromItsSize() throws {
        // More rows than the threads between parser and writer can hold, so the writer reports first.
        let count = 60_000
        let rows = (1...count).map { "C\($0),Ann\($0),Lee,ann\($0)@example.com,1980-01-02" }
        let workspace = try EngineFixture.customerWorkspace(
            "progress", rules: "", files: ["customers.csv": (["id,first,last,email,born"] + rows).joined(separator: "\n") + "\n"])
        var ingestor = SourceIngestor(workspace: workspace, source: try workspace.source("crm"), environment: EngineFixture.clock, run: nil)
        ingestor.chunkSize = 500
        let updates = LockedBox<[IngestProgress]>([])
        _ = try ingestor.ingest(progress: { update in updates.value.append(update) }, shouldStop: { nil })
        let first = try #require(updates.value.first)
        #expect(first.rowsProcessed == 500)
        // Not "500 of 500" (100%, ETA 0): within a tenth of the real count.
        #expect(abs(first.rowsEstimated - count) < count / 10, "first estimate \(first.rowsEstimated)")
        #expect(updates.value.allSatisfy { $0.rowsEstimated >= $0.rowsProcessed })
        #expect(updates.value.last?.rowsEstimated == count)
    }
}
