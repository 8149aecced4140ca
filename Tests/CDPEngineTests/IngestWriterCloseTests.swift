import CDPCore
import CDPRepositories
import Testing

@testable import CDPEngine

/// A batch writer that cannot close cleanly (a team store's first load stopped early whose left-out indexes could not
/// be built again) is never passed over: its failure fails the batch, or joins the failure that stopped it.
struct IngestWriterCloseTests {
    struct WriterFailingToClose: BatchRowWriter {
        func write(_ chunk: IngestChunk, event: RunEvent?) throws(StoreError) {}
        func finish() throws(StoreError) {}
        func close() throws(StoreError) { throw StoreError(.database, "cannot build the indexes of silver_order that batch 4 left out") }
    }

    @Test func aWriterThatFailsToCloseFailsTheBatch() {
        do throws(EngineError) {
            let counted = try SourceIngestor.closing(WriterFailingToClose()) { () throws(EngineError) -> Int in 7 }
            Issue.record("the batch passed with \(counted) rows")
        } catch {
            #expect(error.code == .store, "\(error)")
            #expect(error.message.contains("cannot build the indexes of silver_order that batch 4 left out"), "\(error)")
            #expect(error.cause is StoreError)
        }
    }

    @Test func aWriterThatFailsToCloseAfterAFailureIsAddedToIt() {
        do throws(EngineError) {
            _ = try SourceIngestor.closing(WriterFailingToClose()) { () throws(EngineError) -> Int in
                throw EngineError(.input, "customers.csv line 7: the file ends inside a quoted value")
            }
            Issue.record("no failure")
        } catch {
            #expect(error.code == .input && error.message == "customers.csv line 7: the file ends inside a quoted value", "\(error)")
            #expect(error.details.contains { $0.contains("cannot build the indexes of silver_order that batch 4 left out") }, "\(error)")
            #expect(error.description.contains("  - cannot build the indexes"), "\(error)")
        }
    }
}
