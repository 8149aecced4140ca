import CDPCore
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

/// The match depends on which records there are, never on the order their rows arrived in.
@Suite struct MatchOrderIndependenceTests {
    /// Generated customers and contacts, each key once (a key given twice keeps whichever row came first,
    /// which is ingestion's rule, not matching's), written in the generator's order and shuffled.
    static func workspaces(seed: UInt64) throws -> [Workspace] {
        let data = EngineFixture.temporaryFolder("order-data")
        var options = GeneratorOptions(customers: 1_500, seed: 7)
        options.include = [.customers, .contacts, .truth]
        _ = try SampleDataGenerator(options: options).write(to: data)
        func lines(_ file: GeneratedFile) throws -> [Data] {
            let text = try Data(contentsOf: data.appendingPathComponent(file.relativePath))
            return text.split(separator: UInt8(ascii: "\n")).map { Data($0) }
        }
        func uniqueByKey(_ rows: [Data], key: (Data) -> Data) -> [Data] {
            var count: [Data: Int] = [:]
            for row in rows { count[key(row), default: 0] += 1 }
            return rows.filter { count[key($0)] == 1 }
        }
        let customerLines = try lines(.customers)
        let customers = uniqueByKey(Array(customerLines.dropFirst())) { Data($0.prefix { $0 != UInt8(ascii: ",") }) }
        let contacts = uniqueByKey(try lines(.contacts)) { row in
            let object = (try? JSONSerialization.jsonObject(with: row)) as? [String: Any]
            return Data("\(object?["contact_id"] ?? "")".utf8)
        }
        func file(_ rows: [Data]) -> Data {
            var text = Data()
            for row in rows {
                text.append(row)
                text.append(UInt8(ascii: "\n"))
            }
            return text
        }
        var random = SplitMix64(seed: seed)
        var result: [Workspace] = []
        for shuffled in [false, true] {
            let folder = EngineFixture.temporaryFolder(shuffled ? "order-shuffled" : "order-original")
            let inbox = folder.appendingPathComponent("data/inbox")
            try FileManager.default.createDirectory(at: inbox.appendingPathComponent("crm"), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: inbox.appendingPathComponent("marketing"), withIntermediateDirectories: true)
            let customerRows = shuffled ? customers.shuffled(using: &random) : customers
            let contactRows = shuffled ? contacts.shuffled(using: &random) : contacts
            try file([customerLines[0]] + customerRows).write(to: folder.appendingPathComponent("data/" + GeneratedFile.customers.relativePath))
            try file(contactRows).write(to: folder.appendingPathComponent("data/" + GeneratedFile.contacts.relativePath))
            try WorkspaceInitializer.initialize(at: folder.appendingPathComponent("w").path, from: folder.appendingPathComponent("data").path, administrator: "ann")
            let workspace = try Workspace(at: folder.appendingPathComponent("w").path)
            for source in ["crm_customers", "marketing_contacts"] {
                _ = try SourceIngestor(workspace: workspace, source: try workspace.source(SourceName(source)), environment: EngineFixture.clock, run: nil)
                    .ingest()
            }
            result.append(workspace)
        }
        return result
    }

    struct Result: Equatable {
        var clusters: Set<[SourceRecordID]>
        /// Each queued pair with its weight's bits: scores must be equal, not nearly equal.
        var review: [String]
        var model: FellegiSunterModel
    }

    static func match(_ workspace: Workspace) throws -> Result {
        let service = MatchService(workspace: workspace, environment: EngineFixture.clock)
        let records = try service.loadRecords()
        let outcome = MatchPipeline(configuration: try service.configuration()).run(records)
        var members: [Int32: [SourceRecordID]] = [:]
        for record in 0..<records.count { members[outcome.clusterOf[record], default: []].append(records.id(of: record)) }
        let review = outcome.reviewPairs.map { pair in
            let ids = [records.id(of: Int(pair.a)), records.id(of: Int(pair.b))].sorted()
            return "\(ids[0]) \(ids[1]) \(pair.weight.bitPattern)"
        }
        return Result(clusters: Set(members.values.map { $0.sorted() }), review: review.sorted(), model: outcome.model)
    }

    @Test(arguments: [UInt64(1), 2])
    func shufflingTheInputRowsChangesNoClusterAndNoScore(seed: UInt64) throws {
        let workspaces = try Self.workspaces(seed: seed)
        let original = try Self.match(workspaces[0])
        let shuffled = try Self.match(workspaces[1])
        #expect(original.clusters.count > 100)
        #expect(original.clusters.contains { $0.count > 1 })
        #expect(original.model == shuffled.model)
        #expect(original.clusters == shuffled.clusters)
        #expect(original.review == shuffled.review)
    }

    /// Canonical order: by source name, then key bytes, the sources listed by name.
    @Test func columnsAreOrderedBySourceThenKey() {
        var columns = MatchColumns()
        for (source, key, name) in [("web", "W2", "d"), ("crm", "C10", "b"), ("web", "W1", "c"), ("crm", "C1", "a")] {
            var sourceName = source
            let index = sourceName.withUTF8 { columns.sourceIndex(of: $0) }
            columns.sourceIndex.append(index)
            var key = key
            key.withUTF8 { columns.keys.append($0) }
            var name = name
            name.withUTF8 { columns.firstName.append($0) }
            for path in [\MatchColumns.lastName, \.email, \.phone, \.birthDate, \.street, \.city, \.postcode, \.country, \.crmCustomerID, \.updatedAt] {
                columns[keyPath: path].appendMissing()
            }
        }
        let ordered = columns.canonicallyOrdered()
        #expect(ordered.sources == ["crm", "web"])
        let records = MatchRecords(ordered, threads: 1)
        #expect((0..<records.count).map { records.id(of: $0).description } == ["crm:C1", "crm:C10", "web:W1", "web:W2"])
        #expect((0..<records.count).map { records.firstName.value(of: $0) } == ["a", "b", "c", "d"])
    }
}
