import CDPCore
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

/// An order over personal values, for a user who sees them masked, follows the masked values: ordering by the
/// real last name would tell what the mask hides.
@Suite struct MaskedSortTests {
    /// Smith, Sanders and Smit all show as `S***`; Adams as `A***`. Every e-mail is malformed, so all four are held.
    static let customers = """
        id,first,last,email,born
        C1,Ann,Smith,ann at example.com,1980-01-02
        C2,Bob,Sanders,bob at example.com,1975-05-06
        C3,Cy,Smit,cy at example.com,1970-01-01
        C4,Di,Adams,di at example.com,1971-01-01

        """

    @Test func sortingByNameWithoutViewPIIFollowsTheMaskedNamesNotTheRealOnes() throws {
        let prepared = try EngineFixture.customerWorkspace("masked-sort", rules: EngineFixture.standardRules, files: ["customers.csv": Self.customers])
        let workspace = try EngineFixture.withAccess(prepared, roles: ["analyst": ["run_workflows"]], users: ["ana": "analyst"])
        try EngineFixture.run(workspace)
        let filter = LakeStore.QuarantineFilter(statuses: [.open])
        let admin = workspace.reader(for: .fixed(at: 1_764_300_000, user: "ann"))
        let analyst = workspace.reader(for: .fixed(at: 1_764_300_000, user: "ana"))
        try #require(!admin.masksPersonalData && analyst.masksPersonalData)

        // With view_pii: Adams, Sanders, Smit, Smith.
        #expect(try admin.quarantineIDs(filter, order: .name, ascending: true) == [4, 2, 3, 1])
        // Without: A*** first, then the three S*** in id order, whichever real name each hides.
        #expect(try analyst.quarantineIDs(filter, order: .name, ascending: true) == [4, 1, 2, 3])
        #expect(try analyst.quarantineIDs(filter, order: .name, ascending: false) == [1, 2, 3, 4])
        // A text search narrows first, and the masked order still holds.
        #expect(try analyst.quarantineIDs(LakeStore.QuarantineFilter(statuses: [.open], text: "S***"), order: .name) == [1, 2, 3])
        // Columns nobody masks are still sorted by the store.
        #expect(try analyst.quarantineIDs(filter, order: .key, ascending: false) == [4, 3, 2, 1])
    }
}
