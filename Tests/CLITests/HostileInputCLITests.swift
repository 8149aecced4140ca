import Foundation
import Testing

/// `cdp run` on an inbox a careless or hostile sender filled: it finishes, passes over what is not a file,
/// holds what cannot be trusted, and exits with the code of what went wrong.
@Suite(.serialized, .timeLimit(.minutes(5))) struct HostileInputCLITests {
    static let header =
        "customer_id,first_name,last_name,email,phone,birth_date,street,city,postcode,country,created_at,updated_at,loyalty_tier,email_opt_in,sms_opt_in"

    func sampleWorkspace(_ name: String) throws -> (URL, [String]) {
        let folder = CLI.temporaryFolder(name)
        #expect(try CLI.run(["init", folder.path, "--from", "sample-data"]).status == 0)
        return (folder, ["--workspace", folder.path])
    }

    @Test func aHostileInboxIsReadWithoutHangingAndItsRowsAreHeld() throws {
        let (folder, ws) = try sampleWorkspace("hostile")
        let crm = folder.appendingPathComponent("inbox/crm")
        #expect(mkfifo(crm.appendingPathComponent("customers-pipe.csv").path, 0o644) == 0)
        try FileManager.default.createDirectory(at: crm.appendingPathComponent("customers-folder.csv"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: crm.appendingPathComponent("customers-passwd.csv").path, withDestinationPath: "/etc/passwd")
        let rows = [
            "X0000001\u{200B},Ann,Lee,ann.lee@x.io,,1980-01-02,,,,GB,,,,,",
            "\u{200B},Bo,Ng,bo.ng@x.io,,1980-01-02,,,,GB,,,,,",
            "X0000003,=2+5,+SUM(1+1),cy.fe@x.io,,1980-01-02,,,,GB,,,,,",
            "X0000004,\(String(repeating: "D", count: 5_000)),Ro,di.ro@x.io,,1980-01-02,,,,GB,,,,,",
        ]
        try Data((Self.header + "\n" + rows.joined(separator: "\n") + "\n").utf8).write(
            to: crm.appendingPathComponent("customers-hostile.csv"))

        let run = try CLI.run(["run"] + ws)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("passed over inbox/crm/customers-pipe.csv is a named pipe (FIFO), not a regular file"), "\(run.stderr)")
        #expect(run.stderr.contains("passed over inbox/crm/customers-folder.csv is a folder"))
        #expect(run.stderr.contains("passed over inbox/crm/customers-passwd.csv is a symbolic link out of the workspace (to /etc/passwd)"))
        #expect(!run.stderr.contains("root:x:") && !run.stdout.contains("root:x:"))
        #expect(!run.stderr.contains("NSCocoaErrorDomain"))

        for (rule, lines) in [("parse.invisible_key", ["2", "3"]), ("customer_required", ["4"]), ("parse.too_long", ["5"])] {
            let list = try CLI.run(["quarantine", "list", "--rule", rule, "--source", "crm_customers", "--limit", "100000", "--json"] + ws)
            #expect(list.status == 0, "\(list.stderr)")
            let records = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]] ?? []
            let hostile = records.filter {
                ($0["sourceKey"] as? String)?.hasPrefix("X") == true || ($0["sourceKey"] as? String) == "\u{200B}"
            }
            #expect(hostile.compactMap { ($0["line"] as? Int).map(String.init) }.sorted() == lines, "\(rule): \(list.stdout.prefix(500))")
        }
        let verify = try CLI.run(["verify"] + ws)
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    /// A header that does not fit the mapping is the input's fault (exit 5), not a fatal rule's (6).
    @Test func aHeaderThatDoesNotFitExitsWithTheInputCode() throws {
        let (folder, ws) = try sampleWorkspace("header")
        try Data("customer_id,first_name,surname\nX1,Ann,Lee\n".utf8)
            .write(to: folder.appendingPathComponent("inbox/crm/customers-2.csv"))
        let run = try CLI.run(["run"] + ws)
        #expect(run.status == 5, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("inbox/crm/customers-2.csv:1: the header lacks column"), "\(run.stdout)")
    }
}
