import CDPCore
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

struct SamplePipelineTests {
    /// The sample data is deterministic, so its counts are known; every bronze row lands in exactly one place.
    @Test func theSamplePipelineReachesTheExpectedCounts() throws {
        let workspace = try EngineFixture.sampleWorkspace()
        let run = try EngineFixture.run(workspace)
        #expect(run.state == .succeeded, "\(run.error ?? "")")
        #expect(run.tasks.allSatisfy { $0.state == .succeeded })

        let customers = try EngineFixture.status(workspace, "crm_customers")
        // Data lines: line feeds, plus the truncated last line that has none, minus the header.
        let bytes = try Data(contentsOf: workspace.root.appendingPathComponent("inbox/crm/customers.csv"))
        let lines = bytes.filter { $0 == 0x0A }.count + (bytes.last == 0x0A ? 0 : 1) - 1
        #expect(customers.bronze == lines)
        #expect(customers.silverCurrent + customers.quarantineOpen + customers.quarantineFixed == customers.bronze)
        #expect(customers.bronze == 5024)
        // Customers without an email (in-store, about 4%), with an unknown country or with created after updated pass with a
        // warning; with an impossible birth date they pass without it (omit_value).
        #expect(customers.silverCurrent == 4877)

        // The deliberate problems are found with their reasons.
        let encoding = try workspace.store.quarantineRecords(.init(rule: BuiltInRule.encoding))
        #expect(encoding.count == 1)
        #expect(encoding.first?.failures.first?.message.contains("line") == true)
        let truncated = try workspace.store.quarantineRecords(.init(rule: BuiltInRule.columnCount))
        #expect(truncated.count == 1)
        #expect(truncated.first?.line == lines + 1)
        #expect(try workspace.store.quarantineCount(.init(rule: BuiltInRule.json)) == 1)
        #expect(try workspace.store.quarantineCount(.init(rule: "event_contact_exists")) > 0)

        let report = try LakeVerifier(workspace: workspace).verify()
        #expect(report.problems == [])

        // Running again lands nothing new.
        let again = try EngineFixture.run(workspace)
        #expect(again.tasks.first?.counts["files_already_landed"] == 1)
        #expect(try EngineFixture.status(workspace, "crm_customers").bronze == customers.bronze)
        #expect(try workspace.store.passRateTrend().count == 1)
    }
}

struct IngestionTests {
    @Test func bronzeKeepsLineageAndAChangedRecordKeepsItsHistory() throws {
        let workspace = try EngineFixture.customerWorkspace(
            "history", rules: EngineFixture.standardRules,
            files: ["customers-1.csv": "id,first,last,email,born\nC1,Ann,Lee,ann@x.io,1980-01-02\nC2,Bo,Ng,bo@x.io,1990-03-04\n"])
        try EngineFixture.run(workspace)
        try Data("id,first,last,email,born\nC1,Ann,Lee,ann.lee@x.io,1980-01-02\nC2,Bo,Ng,bo@x.io,1990-03-04\nC3,Cy,Oz,cy@x.io,1970-05-06\n".utf8)
            .write(to: workspace.root.appendingPathComponent("inbox/customers-2.csv"))
        let second = try EngineFixture.run(workspace)
        #expect(second.tasks[0].counts["rows_read"] == 3)
        #expect(second.tasks[0].counts["rows_unchanged"] == 1)
        #expect(second.tasks[0].counts["files_already_landed"] == 1)
        let status = try EngineFixture.status(workspace)
        #expect(status.silverCurrent == 3)
        #expect(status.silverHistory == 1)
        let email = try workspace.store.query("SELECT email FROM silver_customer WHERE source_key = 'C1' AND is_current = 1").rows
        #expect(email == [["ann.lee@x.io"]])
        let lineage = try workspace.store.query(
            "SELECT b.file_name, r.line FROM bronze_row r JOIN batch b ON b.id = r.batch_id WHERE r.source_key = 'C3'").rows
        #expect(lineage == [["inbox/customers-2.csv", "4"]])
        #expect(try LakeVerifier(workspace: workspace).verify().problems == [])
    }

    /// The parser thread skips standardising a row whose content the lake already holds; when an earlier
    /// row of the same file changed that key, the row is a change after all and must still be standardised.
    @Test func aKeyChangedAndChangedBackInOneFileEndsWithTheStoredContent() throws {
        let workspace = try EngineFixture.customerWorkspace(
            "flipflop", rules: "",
            files: ["customers-1.csv": "id,first,last,email,born\nC1,ann,lee,ANN@X.IO,1980-01-02\n"])
        try EngineFixture.run(workspace)
        try Data("id,first,last,email,born\nC1,ann,lee,other@x.io,1980-01-02\nC1,ann,lee,ANN@X.IO,1980-01-02\n".utf8)
            .write(to: workspace.root.appendingPathComponent("inbox/customers-2.csv"))
        let second = try EngineFixture.run(workspace)
        #expect(second.tasks[0].counts["rows_unchanged"] == 0)
        #expect(second.tasks[0].counts["rows_to_silver"] == 2)
        let current = try workspace.store.query(
            "SELECT first_name, email, birth_date FROM silver_customer WHERE source_key = 'C1' AND is_current = 1").rows
        #expect(current == [["Ann", "ann@x.io", "1980-01-02"]])
        #expect(try LakeVerifier(workspace: workspace).verify().problems == [])
    }

    /// JSON lines map by key whatever the order of members, line by line: the reader remembers the last
    /// line's layout only as a shortcut. A repeated key holds the row (`parse.duplicate_key`), null is no
    /// value, and a broken line keeps no half-read values.
    @Test func jsonLinesMapMembersByKeyInAnyOrder() throws {
        let folder = EngineFixture.temporaryFolder("jsonl-order")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("contacts.jsonl")
        let lines = [
            #"{"id":"M1","name":"Ann Lee","mail":"ann@x.io"}"#,
            #"{"mail":"bo@x.io","id":"M2","name":"Bo Ng"}"#,
            #"{"id":"M3","name":"Cy","name":"Cy Fe","mail":null,"extra":1}"#,
            #"{"id":"M4","mail":"di@x.io"}"#,
            #"{"id":"M5","name":"Ed", broken"#,
            #"{"id":"M6","name":"Flo Ho","mail":"flo@x.io"}"#,
        ]
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: file)
        let source = SourceConfiguration(
            name: "marketing", system: "", entity: .customer, format: .jsonl, path: "contacts*.jsonl", primaryKey: "id",
            mapping: ["full_name": "name", "email": "mail", "crm_customer_id": "id"])
        let fields = CanonicalEntity.customer.fields.map(\.name)
        var rows: [(key: String, name: String?, email: String?, crmID: String?, problems: Int)] = []
        try SourceRowReader(source: source, file: file, displayName: "contacts.jsonl").read({ row in
            rows.append((
                row.sourceKey, row.values[fields.firstIndex(of: "full_name")!], row.values[fields.firstIndex(of: "email")!],
                row.values[fields.firstIndex(of: "crm_customer_id")!], row.problems.count))
        }, progress: { _ in })
        #expect(rows.map(\.key) == ["M1", "M2", "M3", "M4", "", "M6"])
        #expect(rows.map(\.name) == ["Ann Lee", "Bo Ng", "Cy Fe", nil, nil, "Flo Ho"])
        #expect(rows.map(\.email) == ["ann@x.io", "bo@x.io", nil, "di@x.io", nil, "flo@x.io"])
        #expect(rows.map(\.crmID) == ["M1", "M2", "M3", "M4", nil, "M6"])
        #expect(rows.map(\.problems) == [0, 0, 1, 0, 1, 0])
    }

    /// A check that only needs to know a file has enough rows stops reading there, not at the end of the file
    /// (here a file larger than the 8 MB the reader takes at a time).
    @Test func aReaderWithARowLimitStopsThere() throws {
        let body = (1...300_000).map { "C\($0),Ann,Lee,ann\($0)@x.io,1980-01-02" }.joined(separator: "\n")
        let workspace = try EngineFixture.customerWorkspace(
            "limit", rules: "", files: ["customers.csv": "id,first,last,email,born\n" + body + "\n"])
        let file = workspace.root.appendingPathComponent("inbox/customers.csv")
        var reader = SourceRowReader(source: try workspace.source("crm"), file: file, displayName: "customers.csv")
        reader.rowLimit = 3
        var keys: [String] = []
        var consumed: Int64 = 0
        try reader.read({ row in keys.append(row.sourceKey) }, progress: { consumed = $0 })
        #expect(keys == ["C1", "C2", "C3"])
        let size = try #require(try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int64)
        #expect(consumed < size)
    }

    @Test func bronzeKeepsEachCSVRecordAsItsLine() throws {
        let lines = ["C1,Ann,Lee,ann@x.io,1980-01-02", #"C2,"Bo, Jr",Ng,"say ""hi""@x.io",1990-03-04"#, "C3,Cy,,,"]
        let workspace = try EngineFixture.customerWorkspace(
            "raw", rules: EngineFixture.standardRules,
            files: ["customers.csv": "id,first,last,email,born\r\n" + lines.joined(separator: "\r\n") + "\r\n"])
        try EngineFixture.run(workspace)
        let raw = try workspace.store.query("SELECT raw FROM bronze_row ORDER BY line").rows
        #expect(raw == lines.map { [$0] })
        // Quotes a writer put where none were needed are kept as written, too.
        try Data("id,first,last,email,born\n\"C9\",\"Di\",Fe,di@x.io,\"2001-02-03\"\n".utf8)
            .write(to: workspace.root.appendingPathComponent("inbox/customers-2.csv"))
        try EngineFixture.run(workspace)
        let quoted = try workspace.store.query("SELECT raw FROM bronze_row WHERE source_key = 'C9'").rows
        #expect(quoted == [[#""C9","Di",Fe,di@x.io,"2001-02-03""#]])
        // A row read back from bronze parses to the fields it was read with.
        let reparsed = CSVParser.parseAll(Array(lines[1].utf8), options: .init(expectsHeader: false)).rows.first?.fields
        #expect(reparsed == ["C2", "Bo, Jr", "Ng", #"say "hi"@x.io"#, "1990-03-04"])
    }

    @Test(arguments: [
        ("quote", "id,first,last,email,born\nC1,\"Ann,Lee,ann@x.io,1980-01-02\n", BuiltInRule.quoting),
        ("columns", "id,first,last,email,born\nC1,Ann,Lee,ann@x.io\n", BuiltInRule.columnCount),
        ("utf8", "id,first,last,email,born\nC1,Ren\u{00E9}e,Lee,ann@x.io,1980-01-02\n", BuiltInRule.encoding),
    ])
    func badRowsAreQuarantinedWithFileLineAndField(name: String, text: String, rule: String) throws {
        var bytes = Array(text.utf8)
        if name == "utf8", let index = bytes.firstIndex(of: 0xC3) {
            bytes.replaceSubrange(index...(index + 1), with: [0xE9])  // é written as Latin-1
        }
        let workspace = try EngineFixture.customerWorkspace(name, rules: EngineFixture.standardRules, files: [:])
        try Data(bytes).write(to: workspace.root.appendingPathComponent("inbox/customers.csv"))
        let run = try EngineFixture.run(workspace)
        #expect(run.state == .succeeded)
        let held = try workspace.store.quarantineRecords(.init(rule: rule))
        #expect(held.count == 1)
        #expect(held.first?.failures.first { $0.rule == rule }?.message.contains("2") == true, "\(held.first?.failures ?? [])")
        if name == "utf8" { #expect(held.first?.fields["first_name"] == "Renée") }
        #expect(try LakeVerifier(workspace: workspace).verify().problems == [])
    }

    @Test func aBOMAndCRLFAreRead() throws {
        let workspace = try EngineFixture.customerWorkspace(
            "bom", rules: EngineFixture.standardRules,
            files: ["customers.csv": "\u{FEFF}id,first,last,email,born\r\nC1,Ann,Lee,ann@x.io,1980-01-02\r\n"])
        try EngineFixture.run(workspace)
        #expect(try EngineFixture.status(workspace).silverCurrent == 1)
        #expect(try workspace.store.query("SELECT last_name FROM silver_customer").rows == [["Lee"]])
    }

    @Test func aHeaderThatDoesNotFitTheMappingRefusesTheRunBeforeWriting() throws {
        let workspace = try EngineFixture.customerWorkspace(
            "header", rules: EngineFixture.standardRules, files: ["customers.csv": "id,first,surname,email,born\nC1,Ann,Lee,a@x.io,1980-01-02\n"])
        let run = try EngineFixture.run(workspace)
        #expect(run.state == .failed)
        #expect(run.error?.contains("inbox/customers.csv:1: the header lacks column last") == true, "\(run.error ?? "")")
        #expect(run.failure == .inputRefused)
        #expect(try workspace.store.batches().isEmpty)
        #expect(try EngineFixture.status(workspace).bronze == 0)
    }

    @Test func anEmptyFileAndAMissingFileAreNamed() throws {
        let empty = try EngineFixture.customerWorkspace("empty", rules: EngineFixture.standardRules, files: ["customers.csv": ""])
        #expect(try EngineFixture.run(empty).error?.contains("inbox/customers.csv: the file is empty") == true)
        let missing = try EngineFixture.customerWorkspace("missing", rules: EngineFixture.standardRules, files: [:])
        #expect(try EngineFixture.run(missing).error?.contains("no file matches inbox/customers*.csv") == true)
    }

    @Test func aFatalRuleStopsTheRunBeforeAnythingIsWritten() throws {
        let rules = EngineFixture.standardRules + """

            [[rules]]
            name = "born_required"
            dataset = "crm"
            check = "required"
            fields = ["birth_date"]
            severity = "fatal"
            """
        let workspace = try EngineFixture.customerWorkspace(
            "fatal", rules: rules, files: ["customers.csv": "id,first,last,email,born\nC1,Ann,Lee,a@x.io,1980-01-02\nC2,Bo,Ng,b@x.io,\n"])
        let run = try EngineFixture.run(workspace)
        #expect(run.state == .failed)
        #expect(run.error?.contains("inbox/customers.csv:3: fatal rule 'born_required' failed") == true, "\(run.error ?? "")")
        #expect(run.failure == .fatalRule)
        #expect(run.tasks.allSatisfy { $0.state == .skipped })
        #expect(try EngineFixture.status(workspace).bronze == 0)
    }

    @Test func aWarningPassesTheRowWithAFlag() throws {
        let rules = EngineFixture.standardRules + """

            [[rules]]
            name = "first_name_short"
            dataset = "crm"
            check = "length"
            field = "first_name"
            max = 2
            severity = "warn"
            """
        let workspace = try EngineFixture.customerWorkspace(
            "warn", rules: rules, files: ["customers.csv": "id,first,last,email,born\nC1,Annabel,Lee,a@x.io,1980-01-02\n"])
        let run = try EngineFixture.run(workspace)
        #expect(run.tasks[0].counts["rows_warned"] == 1)
        #expect(try EngineFixture.status(workspace).silverCurrent == 1)
        #expect(try workspace.store.query("SELECT rule FROM row_warning").rows == [["first_name_short"]])
    }
}

struct RemediationTests {
    func workspaceWithABadEmail() throws -> (Workspace, QuarantineID) {
        let workspace = try EngineFixture.customerWorkspace(
            "remediation-\(UUID().uuidString.prefix(4))", rules: EngineFixture.standardRules,
            files: ["customers.csv": "id,first,last,email,born\nC1,Jane,Doe,jane@@example.com,1980-01-02\nC2,Bo,Ng,bo@x.io,1990-03-04\n"])
        try EngineFixture.run(workspace)
        let held = try #require(try workspace.store.quarantineRecords(.init(rule: "email_format")).first)
        return (workspace, held.id)
    }

    /// A held record's raw row is read from its span of the landed copy, and names the copy when it is gone.
    @Test func aHeldRecordShowsItsLandedLine() throws {
        let (workspace, id) = try workspaceWithABadEmail()
        let service = QuarantineService(workspace: workspace, environment: EngineFixture.clock)
        #expect(try service.detail(id).rawRow == "C1,Jane,Doe,jane@@example.com,1980-01-02")
        let landed = try #require(try workspace.store.landedRecord(of: id))
        try FileManager.default.removeItem(at: workspace.root.appendingPathComponent(landed.landedPath))
        #expect(try service.detail(id).rawRow == "(the landed copy \(landed.landedPath) cannot be read; line 2 of inbox/customers.csv)")
    }

    @Test func fixThenReleaseMovesTheRecordToSilverAndAuditsBoth() throws {
        let (workspace, id) = try workspaceWithABadEmail()
        let service = QuarantineService(workspace: workspace, environment: EngineFixture.clock)
        #expect { try service.release(id) } throws: { ($0 as? EngineError)?.message.contains("still fails email_format") == true }
        let stillBad = try service.fix(id, edits: ["email": "jane@@x"])
        #expect(stillBad.status == .open)
        let fixed = try service.fix(id, edits: ["email": "jane@example.com"])
        #expect(fixed.status == .fixed)
        let released = try service.release(id)
        #expect(released.status == .released)
        #expect(try EngineFixture.status(workspace).silverCurrent == 2)
        #expect(try workspace.store.query("SELECT email FROM silver_customer WHERE source_key = 'C1'").rows == [["jane@example.com"]])
        let audit = try workspace.store.auditEntries(.init(target: id.description))
        #expect(audit.map(\.action) == ["quarantine.release", "quarantine.fix", "quarantine.fix"])
        #expect(audit.last?.before == #"{"email":"jane@@example.com"}"#)
        #expect(audit.allSatisfy { $0.actor == "ann" })
        #expect(try service.detail(id).history.map(\.action) == ["fix", "fix", "release"])
        #expect(try LakeVerifier(workspace: workspace).verify().problems == [])
    }

    @Test func editsMayUseTheSourceColumnName() throws {
        let (workspace, id) = try workspaceWithABadEmail()
        let service = QuarantineService(workspace: workspace, environment: EngineFixture.clock)
        #expect(try service.fix(id, edits: ["email": "jane@example.com", "last": "Doe-Smith"]).fields["last_name"] == "Doe-Smith")
        #expect { try service.fix(id, edits: ["shoe_size": "9"]) } throws: { ($0 as? EngineError)?.message.contains("unknown field shoe_size") == true }
    }

    @Test func rejectNeedsAReasonAndEndsTheRecord() throws {
        let (workspace, id) = try workspaceWithABadEmail()
        let service = QuarantineService(workspace: workspace, environment: EngineFixture.clock)
        #expect(throws: EngineError.self) { try service.reject(id, reason: "  ") }
        #expect(try service.reject(id, reason: "test account").status == .rejected)
        #expect(throws: EngineError.self) { try service.release(id) }
        #expect(try workspace.store.auditEntries(.init(action: "quarantine.reject")).first?.reason == "test account")
        #expect(try LakeVerifier(workspace: workspace).verify().problems == [])
    }

    /// Change detection and the unique-key rule share one table of keys: a row the lake already holds is
    /// skipped without claiming its key, so a changed row for that key later in the file is not a duplicate;
    /// every later row of a key that a checked row claimed is one, naming the first line.
    @Test func onlyCheckedRowsClaimTheirKeyInAFile() throws {
        let workspace = try EngineFixture.customerWorkspace(
            "claims", rules: EngineFixture.standardRules,
            files: ["customers-1.csv": "id,first,last,email,born\nC1,Ann,Lee,a@x.io,1980-01-02\nC2,Bo,Ng,b@x.io,1981-01-02\n"])
        try EngineFixture.run(workspace)
        try Data(
            """
            id,first,last,email,born
            C1,Ann,Lee,a@x.io,1980-01-02
            C1,Ann,Lee,ann@x.io,1980-01-02
            C3,Cy,Fe,c@x.io,1982-01-02
            C3,Cy,Fe,cy@x.io,1982-01-02
            C3,Cy,Fe,cyf@x.io,1982-01-02

            """.utf8
        ).write(to: workspace.root.appendingPathComponent("inbox/customers-2.csv"))
        let second = try EngineFixture.run(workspace)
        #expect(second.tasks[0].counts["rows_unchanged"] == 1)
        #expect(second.tasks[0].counts["rows_to_silver"] == 2)
        let current = try workspace.store.query("SELECT email FROM silver_customer WHERE source_key = 'C1' AND is_current = 1").rows
        #expect(current == [["ann@x.io"]])
        let held = try workspace.store.quarantineRecords(.init(rule: "key_unique")).map { $0.failures.first?.message }
        #expect(held == Array(repeating: "duplicate source_key 'C3': already on line 4 of this batch", count: 2))
        #expect(try LakeVerifier(workspace: workspace).verify().problems == [])
    }

    @Test func aDuplicateKeyFromTheSameFileCannotBeReleased() throws {
        let workspace = try EngineFixture.customerWorkspace(
            "duplicate", rules: EngineFixture.standardRules,
            files: ["customers.csv": "id,first,last,email,born\nC1,Ann,Lee,a@x.io,1980-01-02\nC1,Ann,Lee,ann@x.io,1980-01-02\n"])
        try EngineFixture.run(workspace)
        let held = try #require(try workspace.store.quarantineRecords(.init(rule: "key_unique")).first)
        #expect(held.failures.first?.message == "duplicate source_key 'C1': already on line 2 of this batch")
        let service = QuarantineService(workspace: workspace, environment: EngineFixture.clock)
        #expect(throws: EngineError.self) { try service.release(held.id) }
        try service.fix(held.id, edits: ["source_key": "C1-B"])
        #expect(try service.release(held.id).status == .released)
        #expect(try EngineFixture.status(workspace).silverCurrent == 2)
    }
}
