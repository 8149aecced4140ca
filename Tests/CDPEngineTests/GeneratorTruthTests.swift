import Foundation
import Testing

@testable import CDPEngine

@Suite struct GeneratorTruthTests {
    @Test func truthCoversEveryRecordAndNothingElse() throws {
        let fixture = try GeneratorFixture.load()
        let truth = try fixture.truth()
        let truthRows = try fixture.csvRows(.truth)
        #expect(truthRows.allSatisfy { $0[2].wholeMatch(of: /P\d{8}/) != nil })
        // Record ids are unique within a source.
        #expect(truthRows.count == truth.values.reduce(0) { $0 + $1.count })

        let customerIDs = try fixture.rawRows(.customers).map { raw in
            String(decoding: raw.prefix { $0 != UInt8(ascii: ",") }, as: UTF8.self)
        }
        let contactIDs = try fixture.rawRows(.contacts).compactMap { raw -> String? in
            let text = String(decoding: raw, as: UTF8.self)
            return text.firstMatch(of: /^\{"contact_id":"(M\d{7})"/).map { String($0.1) }
        }
        #expect(contactIDs.count == (try fixture.rawRows(.contacts)).count)
        let customers = truth["crm_customers"] ?? [:]
        let contacts = truth["marketing_contacts"] ?? [:]
        #expect(Set(customerIDs).symmetricDifference(customers.keys).sorted().prefix(5) == [])
        #expect(Set(contactIDs).symmetricDifference(contacts.keys).sorted().prefix(5) == [])
        #expect(truth.keys.sorted() == ["crm_customers", "marketing_contacts"])
    }

    @Test func aboutThreePercentOfCRMPeopleRegisteredTwice() throws {
        let truth = try GeneratorFixture.load().truth()
        var recordsPerEntity: [String: Int] = [:]
        for entity in (truth["crm_customers"] ?? [:]).values { recordsPerEntity[entity, default: 0] += 1 }
        let twice = recordsPerEntity.values.filter { $0 == 2 }.count
        let rate = Double(twice) / Double(recordsPerEntity.count)
        #expect((0.02...0.045).contains(rate), "\(rate)")
        #expect(recordsPerEntity.values.allSatisfy { $0 <= 2 })
    }

    @Test func contactsOverlapTheCRMAsSpecified() throws {
        let fixture = try GeneratorFixture.load()
        let truth = try fixture.truth()
        let customerEntity = truth["crm_customers"] ?? [:]
        let crmEntities = Set(customerEntity.values)
        let contactEntity = truth["marketing_contacts"] ?? [:]
        let inCRM = contactEntity.values.filter { crmEntities.contains($0) }.count
        let share = Double(inCRM) / Double(contactEntity.count)
        #expect((0.77...0.83).contains(share), "\(share)")

        var carrying = 0
        var total = 0
        for raw in try fixture.rawRows(.contacts) {
            guard let object = try? JSONSerialization.jsonObject(with: raw) as? [String: Any],
                let id = object["contact_id"] as? String
            else { continue }
            total += 1
            guard let customer = object["crm_customer_id"] as? String else { continue }
            carrying += 1
            // A carried CRM id always points at a record of the same person.
            #expect(customerEntity[customer] == contactEntity[id], "\(id) → \(customer)")
        }
        let carried = Double(carrying) / Double(total)
        #expect((0.30...0.40).contains(carried), "\(carried)")
    }

    @Test func namesCoverSeveralCulturesAndScripts() throws {
        let fixture = try GeneratorFixture.load()
        let text = String(decoding: try fixture.data(.contacts), as: UTF8.self)
            + String(decoding: try fixture.data(.customers), as: UTF8.self)
        for name in ["Müller", "García", "Rossi", "de Jong", "Kim", "Nowak"] {
            #expect(text.contains(name), "no \(name)")
        }
        #expect(text.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) || (0xAC00...0xD7A3).contains($0.value) })
        #expect(text.contains("\", ") || text.contains(", "), "no \"Last, First\" names")
    }
}
