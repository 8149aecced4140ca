import Foundation
import Testing

@testable import CDPPostgresStore

/// The fix line `cdp access check --store` prints for the cluster's admin, who runs it as the superuser: the
/// database names in it are chosen by anyone with CREATEDB, so none may end its quoting.
@Suite struct PublicExposureFixTests {
    /// What the shell hands `psql` when the line runs (psql replaced by a function printing its arguments).
    static func arguments(of line: String) throws -> [[String]] {
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/bash")
        shell.arguments = ["-c", "psql() { printf '%s\\0' \"$@\"; printf '\\n'; }; " + line]
        let output = Pipe()
        shell.standardOutput = output
        try shell.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        shell.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true).map {
            $0.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init)
        }
    }

    @Test func aHostileDatabaseNameStaysOneQuotedIdentifier() throws {
        let hostile = #"x"; DROP ROLE sam; --'$(touch /tmp/pwned)"#
        let exposures = [hostile, "postgres"].map {
            PostgresTeamStore.PublicExposure(database: $0, isStore: false, databasePrivileges: ["CONNECT", "TEMPORARY"])
        } + [PostgresTeamStore.PublicExposure(database: "acme", isStore: true, databasePrivileges: ["CONNECT"])]
        let line = try #require(PostgresTeamStore.publicExposureFix(exposures))
        let calls = try Self.arguments(of: line)
        #expect(calls.count == 2)
        #expect(calls[0] == [
            "-U", "postgres", "-d", hostile, "-c",
            #"REVOKE CONNECT, TEMPORARY, CREATE ON DATABASE "x""; DROP ROLE sam; --'$(touch /tmp/pwned)" FROM PUBLIC; "#
                + "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        ])
        #expect(calls[1][3] == "postgres")
        #expect(!calls.contains { $0.contains("acme") })
    }

    @Test func nothingToCloseMeansNoLine() {
        let closed = PostgresTeamStore.PublicExposure(database: "postgres", isStore: false, databasePrivileges: [], createInPublicSchema: false)
        #expect(PostgresTeamStore.publicExposureFix([closed]) == nil)
    }
}
