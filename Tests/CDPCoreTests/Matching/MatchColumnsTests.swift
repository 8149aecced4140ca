import Testing

@testable import CDPCore

/// Text columns are handed from the store's read to the records built from them, each column let go once read.
@Suite struct MatchColumnsTests {
    /// Every text column with values of its own (the column's name and the record number), two attributes included.
    static func columns() -> MatchColumns {
        var columns = MatchColumns()
        let fields: [(WritableKeyPath<MatchColumns, TextColumn>, String)] = [
            (\.keys, "key"), (\.firstName, "first"), (\.lastName, "last"), (\.email, "email"), (\.phone, "phone"),
            (\.birthDate, "birth"), (\.street, "street"), (\.city, "city"), (\.postcode, "postcode"), (\.country, "country"),
            (\.crmCustomerID, "crm"), (\.updatedAt, "updated"),
        ]
        for (field, name) in fields { columns[keyPath: field] = TextColumn((0..<3).map { "\(name)\($0)" }) }
        columns.attributeNames = ["a", "b"]
        columns.attributes = ["attribute a", "attribute b"].map { name in TextColumn((0..<3).map { "\(name)\($0)" }) }
        return columns
    }

    @Test func takenColumnsLeaveNothingBehindAndGoBackInTheirPlaces() {
        let original = Self.columns()
        var taken = original
        let texts = taken.takeTextColumns()
        let fields: [KeyPath<MatchColumns, TextColumn>] = [
            \.keys, \.firstName, \.lastName, \.email, \.phone, \.birthDate, \.street, \.city, \.postcode, \.country, \.crmCustomerID,
            \.updatedAt,
        ]
        // Nothing left behind: the taken array is the only holder of each column.
        #expect(fields.allSatisfy { taken[keyPath: $0].count == 0 })
        #expect(taken.attributes.allSatisfy { $0.count == 0 })
        #expect(texts.map(\.bytes) == fields.map { original[keyPath: $0].bytes } + original.attributes.map(\.bytes))
        var restored = MatchColumns()
        restored.putTextColumns(texts)
        #expect(fields.allSatisfy { restored[keyPath: $0].bytes == original[keyPath: $0].bytes })
        #expect(restored.attributes.map(\.bytes) == original.attributes.map(\.bytes))
    }
}
