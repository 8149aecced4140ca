import Foundation
import Testing

@testable import CDPEngine

/// `cdp bench ingest` generates and times exactly the sources asked for, in cdp.toml order.
@Suite struct IngestBenchmarkTests {
    @Test func eachPhaseIsTimedInItsOwnPlace() {
        #expect(IngestProfile.Phase.allCases.enumerated().allSatisfy { $0.offset == $0.element.ordinal })
        let profile = IngestProfile()
        profile.add(.route, nanoseconds: 1_500_000_000)
        profile.add(.validate, nanoseconds: 250_000_000)
        profile.add(.route, nanoseconds: 500_000_000)
        #expect(profile.seconds.map(\.phase) == [.validate, .route])
        #expect(profile.seconds.map(\.seconds) == [0.25, 2.0])
    }

    @Test func theSourcesAskedForAreGeneratedAndTimedEachOnItsOwn() throws {
        let template = try IngestBenchmark.templateConfiguration()
        #expect(IngestBenchmark.files(for: [], in: template) == [.customers, .orders, .contacts, .campaigns, .events])
        #expect(IngestBenchmark.files(for: ["campaign_events", "marketing_contacts"], in: template) == [.contacts, .events])

        var benchmark = IngestBenchmark(
            customers: 200, repetitions: 1, scratch: EngineFixture.temporaryFolder("bench-ingest"))
        benchmark.sources = ["crm_orders", "crm_customers"]
        let result = try benchmark.run(log: { _ in })
        #expect(result.perSource.map(\.source) == ["crm_customers", "crm_orders"])
        #expect(result.perSource.allSatisfy { $0.rows > 0 })
        #expect(result.rows == result.perSource.map(\.rows).reduce(0, +))

        benchmark.sources = ["crm_nothing"]
        #expect(throws: EngineError.self) { try benchmark.run(log: { _ in }) }
    }
}
