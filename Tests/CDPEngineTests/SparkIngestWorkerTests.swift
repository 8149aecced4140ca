import CDPCore
import CDPStore
import Foundation
import GRDB
import Testing

@testable import CDPEngine

/// The Spark worker's ingest stage judges rows exactly as the embedded ingest does: the same files in give the
/// embedded lake's silver and quarantine rows, line for line, values and reasons included.
@Suite struct SparkIngestWorkerTests {
    /// The workflow's order: a referenced source is ingested before the sources whose rules read its keys.
    static let order: [SourceName] = ["crm_customers", "crm_orders", "marketing_contacts", "campaigns", "campaign_events"]

    /// Frames the files as the driver does: a header line, then the bytes as stored.
    static func frames(_ files: [(name: String, bytes: [UInt8])]) -> [UInt8] {
        var input: [UInt8] = []
        for (index, file) in files.enumerated() {
            input += Array(#"{"batch":"b\#(index + 1)","file":"\#(file.name)","bytes":\#(file.bytes.count)}"#.utf8) + [10]
            input += file.bytes
        }
        return input
    }

    static func run(_ worker: SparkIngestWorker, _ input: [UInt8]) throws -> [String] {
        var lines: [String] = []
        try worker.run(input: input) { bytes in
            lines += String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
        }
        return lines
    }

    @Test func sampleWorkspaceGivesTheEmbeddedLakesRows() throws {
        let workspace = try EngineFixture.sampleWorkspace("spark-worker")
        let environment = Environment.fixed(at: 1_765_000_000)
        var workerRows: [String] = []
        var summaries = 0
        for name in Self.order {
            let source = try workspace.source(name)
            let checks = SourceChecks(source: source, rules: workspace.rules, defaultCountry: workspace.configuration.defaultCountry)
            // The keys the embedded ingest reads for reference rules: the lake's, just before the source is ingested.
            var keys: [SourceName: KeySet] = [:]
            for target in checks.referencedSources {
                keys[target] = try workspace.store.currentKeys(source: target, entity: try workspace.source(target).entity)
            }
            _ = try SourceIngestor(workspace: workspace, source: source, environment: environment, run: nil).ingest()
            let worker = try SparkIngestWorker(
                configuration: workspace.configuration, rules: workspace.rules, source: name, today: environment.today, referenceKeys: keys)
            let files = try workspace.files(for: source).files.map { (workspace.relativePath($0), [UInt8](try Data(contentsOf: $0))) }
            for line in try Self.run(worker, Self.frames(files)) {
                if line.hasPrefix(#"{"kind":"batch""#) { summaries += 1 } else { workerRows.append(try Self.comparable(workerLine: line)) }
            }
        }
        let lakeRows = try Self.lakeRows(workspace)
        #expect(summaries == 5)
        #expect(lakeRows.count > 50_000)
        #expect(lakeRows.contains { $0.hasPrefix("quarantine") } && lakeRows.contains { $0.contains("warnings=[{") })
        let missing = Set(lakeRows).subtracting(workerRows).sorted()
        let extra = Set(workerRows).subtracting(lakeRows).sorted()
        #expect(missing.isEmpty, "rows of the lake the worker did not give: \(missing.prefix(3))")
        #expect(extra.isEmpty, "rows the worker gave that the lake does not hold: \(extra.prefix(3))")
        #expect(workerRows.count == lakeRows.count)
    }

    /// A second file of a source sees the first as the lake would: an unchanged row is skipped, a changed one
    /// supersedes, and a key repeated within a file is still caught.
    @Test func laterFilesSeeEarlierOnes() throws {
        let first = "id,first,last,email,born\n1,Ann,Lee,ann@example.com,1980-01-02\n2,Bob,Ray,bob@example.com,1970-05-06\n"
        let second =
            "id,first,last,email,born\n1,Ann,Lee,ann@example.com,1980-01-02\n2,Bob,Ray,bob@new.com,1970-05-06\n2,Bob,Ray,x,1970-05-06\n"
        let workspace = try EngineFixture.customerWorkspace(
            "spark-two-files", rules: EngineFixture.standardRules, files: ["customers1.csv": first, "customers2.csv": second])
        let environment = Environment.fixed(at: 1_765_000_000)
        _ = try SourceIngestor(workspace: workspace, source: try workspace.source("crm"), environment: environment, run: nil).ingest()
        let worker = try SparkIngestWorker(
            configuration: workspace.configuration, rules: workspace.rules, source: "crm", today: environment.today, referenceKeys: [:])
        let lines = try Self.run(
            worker, Self.frames([("inbox/customers1.csv", Array(first.utf8)), ("inbox/customers2.csv", Array(second.utf8))]))
        let rows = try lines.filter { !$0.hasPrefix(#"{"kind":"batch""#) }.map { try Self.comparable(workerLine: $0) }
        #expect(rows.count == 4)
        #expect(lines.last?.contains(#""read":3,"unchanged":1,"silver":1,"quarantined":1"#) == true)
        #expect(Set(rows) == Set(try Self.lakeRows(workspace)))
    }

    @Test func aCutShortFrameIsRefusedNamingTheFile() throws {
        let workspace = try EngineFixture.customerWorkspace("spark-frame", rules: EngineFixture.standardRules, files: [:])
        let worker = try SparkIngestWorker(
            configuration: workspace.configuration, rules: workspace.rules, source: "crm", today: "2026-12-06", referenceKeys: [:])
        var input = Self.frames([("inbox/customers1.csv", Array("id,first\n1,Ann\n".utf8))])
        input.removeLast(3)
        #expect {
            _ = try Self.run(worker, input)
        } throws: { error in
            let error = try #require(error as? EngineError)
            return error.code == .input && error.message.contains("frame 1: inbox/customers1.csv announces 15 bytes but only 12 follow")
        }
    }

    @Test func aReferenceRuleWithoutItsKeysIsRefused() throws {
        let workspace = try EngineFixture.sampleWorkspace("spark-references")
        #expect {
            _ = try SparkIngestWorker(
                configuration: workspace.configuration, rules: workspace.rules, source: "crm_orders", today: "2026-12-06",
                referenceKeys: [:])
        } throws: { error in
            let error = try #require(error as? EngineError)
            return error.code == .input && error.message.contains("reference rules on crm_customers")
        }
    }

    /// `cdp spark run` writes its job into a folder nobody else may enter, new each time (the name was the pid).
    @Test func aJobIsWrittenIntoAPrivateFolderOfItsOwn() throws {
        let first = try SparkJob.privateFolder()
        let second = try SparkJob.privateFolder()
        defer {
            try? FileManager.default.removeItem(at: first)
            try? FileManager.default.removeItem(at: second)
        }
        #expect(first != second)
        let attributes = try FileManager.default.attributesOfItem(atPath: first.path)
        #expect(attributes[.type] as? FileAttributeType == .typeDirectory)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        #expect(try FileManager.default.contentsOfDirectory(atPath: first.path).isEmpty)
    }

    // MARK: - One comparable text per row

    /// `kind|source|file|line|key|hash|…`: silver with its values (`field=text`, in field order) and warnings,
    /// quarantine with the fields and failures JSON the lake stores.
    /// - Parameter kind: for a line without its own `kind` (a row Spark wrote back as JSON).
    static func comparable(workerLine line: String, kind: String? = nil) throws -> String {
        let members = try JSONLineParser.parseDictionary(line)
        func text(_ key: String) -> String { members[key]?.text ?? "<nil>" }
        let kind = kind ?? text("kind")
        let head = [kind, text("source"), text("file"), text("line"), text("source_key"), text("content_hash")].joined(separator: "|")
        if kind == "silver" {
            let values = try JSONLineParser.parseFields(text("values")).map { "\($0.key)=\($0.value.text ?? "null")" }
            return head + "|values=" + values.joined(separator: ",") + "|warnings=" + text("warnings")
        }
        return head + "|fields=" + text("fields") + "|failures=" + text("failures")
    }

    static func lakeRows(_ workspace: Workspace) throws -> [String] {
        let database = try DatabaseQueue(path: workspace.databaseFile.path)
        return try database.read { db in
            var rows: [String] = []
            for source in workspace.configuration.sources {
                let fields = source.entity.fields
                let silver = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT s.*, b.file_name FROM \(source.entity.silverTable) s JOIN batch b ON b.id = s.batch_id
                        WHERE s.source = ? ORDER BY s.bronze_id
                        """,
                    arguments: [source.name.rawValue])
                for row in silver {
                    let values = fields.compactMap { field -> String? in
                        let value: DatabaseValue = row[field.name]
                        switch value.storage {
                        case .null: return nil
                        case .int64(let number):
                            return "\(field.name)=\(field.kind == .boolean ? (number != 0 ? "true" : "false") : String(number))"
                        case .double(let number): return "\(field.name)=\(number)"
                        case .string(let text): return "\(field.name)=\(text)"
                        case .blob: return "\(field.name)=<blob>"
                        }
                    }
                    let warnings = try Row.fetchAll(
                        db, sql: "SELECT rule, field, value, message FROM row_warning WHERE bronze_id = ? ORDER BY id",
                        arguments: [row["bronze_id"]]
                    ).map { RuleFailure(rule: $0["rule"], field: $0["field"], value: $0["value"], message: $0["message"], severity: .warn) }
                    var warningsJSON: [UInt8] = []
                    CompactJSON.appendFailures(warnings, to: &warningsJSON)
                    let head: [String] = [
                        "silver", source.name.rawValue, row["file_name"], String(row["line"] as Int64), row["source_key"],
                        String(row["content_hash"] as Int64),
                    ]
                    rows.append(
                        head.joined(separator: "|") + "|values=" + values.joined(separator: ",") + "|warnings="
                            + String(decoding: warningsJSON, as: UTF8.self))
                }
                let held = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT q.line, q.source_key, q.content_hash, q.fields, q.failures, b.file_name FROM quarantine_record q
                        JOIN batch b ON b.id = q.batch_id WHERE q.source = ? ORDER BY q.bronze_id
                        """,
                    arguments: [source.name.rawValue])
                for row in held {
                    let head: [String] = [
                        "quarantine", source.name.rawValue, row["file_name"], String(row["line"] as Int64), row["source_key"],
                        String(row["content_hash"] as Int64),
                    ]
                    rows.append(
                        head.joined(separator: "|") + "|fields=" + (row["fields"] as String) + "|failures=" + (row["failures"] as String))
                }
            }
            return rows
        }
    }
}
