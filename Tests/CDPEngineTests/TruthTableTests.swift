import CDPCore
import Foundation
import Testing

@testable import CDPEngine

/// The truth file as `cdp bench match` and `cdp match evaluate` read it.
struct TruthTableTests {
    @Test func aRecordNamedTwiceKeepsItsLastEntityAndTheMissingComeInFileOrder() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("truth-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("source,record_id,entity_id\ncrm,C1,p1\nweb,W1,p1\ncrm,C2,p2\nweb,W2,p3\ncrm,C1,p2\n".utf8).write(to: file)
        let truth = try TruthTable(contentsOf: file)
        let c1 = SourceRecordID(source: "crm", key: "C1"), c2 = SourceRecordID(source: "crm", key: "C2")
        let w1 = SourceRecordID(source: "web", key: "W1"), w2 = SourceRecordID(source: "web", key: "W2")
        #expect(truth.count == 4)
        #expect(truth.records == [c1, w1, c2, w2])
        #expect(truth[c1] == truth[c2])
        #expect(truth[w1] != truth[c1])
        #expect(truth[SourceRecordID(source: "crm", key: "C9")] == nil)
        // C1 and C2 matched into one cluster (right: C1 is p2's now); W2 and W1 were not matched, asked in file order.
        var asked: [SourceRecordID] = []
        let evaluation = truth.evaluate(matched: [c2, c1], clusters: [0, 0]) { missing in
            asked = missing
            return missing.map { _ in .quarantined }
        }
        #expect(asked == [w1, w2])
        #expect(evaluation.correctPairs == 1)
        #expect(evaluation.notMatchedRecords == 2)
        #expect(evaluation.records == 4)
    }
}
