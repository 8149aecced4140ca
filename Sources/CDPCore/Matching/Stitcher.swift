/// Links records that share a hard identifier (an email address, a CRM id carried by another source, an
/// E.164 phone, an extra attribute such as a national ID) before any scoring.
public struct Stitcher: Sendable {
    public let records: MatchRecords
    public let settings: MatchingConfiguration.Stitching

    public init(records: MatchRecords, settings: MatchingConfiguration.Stitching) {
        self.records = records
        self.settings = settings
    }

    public struct Link: Sendable, Hashable {
        public var a: Int32
        public var b: Int32
        public var identifier: MatchingConfiguration.HardIdentifier
    }

    /// Links in identifier order; each group of records sharing a value is linked as a star from its first record.
    public func links() -> [Link] {
        var links: [Link] = []
        for identifier in settings.identifiers {
            switch identifier {
            case .email: links += shared(records.email, identifier)
            case .phone: links += shared(records.phone, identifier)
            case .crmID: links += crmLinks()
            case .attribute(let name): links += shared(records.attributeKey(name), identifier)
            }
        }
        return links
    }

    private func shared(_ column: InternedColumn, _ identifier: MatchingConfiguration.HardIdentifier) -> [Link] {
        var firstHolder = [Int32](repeating: -1, count: column.values.count)
        var links: [Link] = []
        for (record, id) in column.ids.enumerated() where id != InternedColumn.missing {
            let count = Int(column.counts[Int(id)])
            guard count >= 2 && count <= settings.maxRecordsPerValue else { continue }
            if firstHolder[Int(id)] < 0 {
                firstHolder[Int(id)] = Int32(record)
            } else {
                links.append(Link(a: firstHolder[Int(id)], b: Int32(record), identifier: identifier))
            }
        }
        return links
    }

    private func crmLinks() -> [Link] {
        guard let crm = records.sources.firstIndex(of: settings.crmSource) else { return [] }
        let wanted = Set(records.crmCustomerID.values)
        guard !wanted.isEmpty else { return [] }
        var recordByKey: [String: Int32] = [:]
        for record in 0..<records.count where Int(records.sourceIndex[record]) == crm && wanted.contains(records.keys[record]) {
            recordByKey[records.keys[record]] = Int32(record)
        }
        var links: [Link] = []
        for (record, id) in records.crmCustomerID.ids.enumerated() where id != InternedColumn.missing {
            guard let target = recordByKey[records.crmCustomerID.values[Int(id)]], target != Int32(record) else { continue }
            links.append(Link(a: min(target, Int32(record)), b: max(target, Int32(record)), identifier: .crmID))
        }
        return links
    }
}
