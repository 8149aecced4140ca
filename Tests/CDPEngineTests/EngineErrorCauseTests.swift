import CDPRepositories
import Testing

@testable import CDPEngine

/// An engine error keeps the error it reports, not only its text: a store's error with its own cause under it.
@Suite struct EngineErrorCauseTests {
    struct DiskFull: Error {}

    @Test func aStoreErrorIsKeptAsTheCause() throws {
        let error = try #require(throws: EngineError.self) {
            try storeCall { () throws(StoreError) -> Void in throw StoreError(.io, "writing the lake failed", underlying: DiskFull()) }
        }
        #expect(error.code == .store)
        #expect(error.message.contains("writing the lake failed"))
        let cause = try #require(error.cause as? StoreError)
        #expect(cause.code == .io)
        #expect(cause.cause is DiskFull)
    }
}
