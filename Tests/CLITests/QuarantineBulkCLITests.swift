import Foundation
import Testing

/// `cdp quarantine fix|release|reject` on every record of a selection: previewed without `--yes`, applied with it.
struct QuarantineBulkCLITests {
    @Test func fixByPatternThenReleaseEveryRecordOfARule() throws {
        let ws = try QuarantineReopenCLITests.workspace("bulk")
        let preview = try CLI.run(["quarantine", "fix", "--rule", "email_format", "--replace", "email / at /@/"] + ws)
        #expect(preview.status == 0, "\(preview.stderr)")
        #expect(preview.stdout.contains("replace / at / by \"@\" in email on 1 of 1 held records matching rule email_format"))
        #expect(preview.stdout.contains("Q1  bob at example.com → bob@example.com"))
        #expect(preview.stdout.contains("nothing changed; add --yes to apply"))
        #expect(try CLI.run(["quarantine", "show", "Q1"] + ws).stdout.contains("bob at example.com"))

        let fixed = try CLI.run(["quarantine", "fix", "--rule", "email_format", "--replace", "email / at /@/", "--yes"] + ws)
        #expect(fixed.status == 0, "\(fixed.stderr)")
        #expect(fixed.stdout.contains("1 records changed (1 now pass), 0 refused"))
        let released = try CLI.run(["quarantine", "release", "--rule", "email_format", "--yes"] + ws)
        #expect(released.status == 0, "\(released.stderr)")
        #expect(released.stdout.contains("1 records changed"))
        let audit = try CLI.run(["audit", "list", "--action", "quarantine.bulk.release"] + ws)
        #expect(audit.stdout.contains("1 records (Q1…Q1)"), "\(audit.stdout)")
        #expect(try CLI.run(["verify"] + ws).status == 0)

        let both = try CLI.run(["quarantine", "release", "Q1", "--rule", "email_format"] + ws)
        #expect(both.status != 0)
        #expect(both.stderr.contains("not both"))
        let bad = try CLI.run(["quarantine", "fix", "--rule", "email_format", "--replace", "email"] + ws)
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("is not 'field /pattern/replacement/'"))
    }
}

extension QuarantineBulkCLITests {
    @Test func exportWritesTheChosenColumnsOfTheFilteredRecords() throws {
        let ws = try QuarantineReopenCLITests.workspace("export")
        let out = CLI.temporaryFolder("export-out").appendingPathComponent("view.csv").path
        try FileManager.default.createDirectory(atPath: (out as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let result = try CLI.run(["quarantine", "export", "--rule", "email_format", "--columns", "id,key,value", "--out", out] + ws)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("exported 1 records × 3 columns to \(out)"))
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "id,key,failing value\nQ1,C2,bob at example.com\n")
        let bad = try CLI.run(["quarantine", "export", "--columns", "id,shoe", "--out", out] + ws)
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("unknown column 'shoe'"))
        let audit = try CLI.run(["audit", "list", "--action", "quarantine.export"] + ws)
        #expect(audit.stdout.contains("1 records"), "\(audit.stdout)")
    }

    /// `--columns …,owner` names who holds each record, as the workbench's owner column does; the default columns
    /// leave it out.
    @Test func exportWritesTheOwnerColumnWhenAskedForIt() throws {
        let ws = try QuarantineReopenCLITests.workspace("export-owner")
        let out = CLI.temporaryFolder("export-owner-out").appendingPathComponent("view.csv").path
        try FileManager.default.createDirectory(atPath: (out as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let assigned = try CLI.run(["quarantine", "assign", "Q1", "--to", "sam", "--as", "lee"] + ws)
        #expect(assigned.status == 0, "\(assigned.stderr)")
        let result = try CLI.run(["quarantine", "export", "--columns", "id,key,owner", "--out", out] + ws)
        #expect(result.status == 0, "\(result.stderr)")
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.hasPrefix("id,key,owner\nQ1,C2,sam\n"), "\(text)")
        #expect(text.split(separator: "\n").dropFirst(2).allSatisfy { $0.hasSuffix(",") }, "\(text)")
        let plain = try CLI.run(["quarantine", "export", "--out", out] + ws)
        #expect(plain.status == 0, "\(plain.stderr)")
        let header = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").first ?? ""
        #expect(header == "id,status,source,key,name,line,age,rules,failing value,first problem")
    }
}
