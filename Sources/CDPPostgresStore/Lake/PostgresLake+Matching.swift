import CDPCore
import CDPRepositories
import PostgresNIO

/// Match runs, the review queue, pair decisions, golden records and their cross-reference, as the embedded lake
/// keeps them (`LakeStore+Matching`, `+MatchReview`). A run's result is copied (COPY) into the store's staging
/// tables and applied by `cdp.match_write_result` in one transaction, under the run lock the run holds
/// (``PostgresSchema/matchWriteObjects``). Reads go through the masked views for a role without `view_pii`.
extension PostgresLake: MatchingRepository {
    /// The silver columns matching reads, as the embedded lake's `currentCustomerColumns` reads them.
    static let matchInputColumns = """
        source, source_key, first_name, last_name, email, phone, birth_date, street, city, postcode, country, crm_customer_id,
        COALESCE(updated_at, created_at)
        """

    public func currentCustomerColumns(attributes: [String]) throws(StoreError) -> MatchColumns {
        // Attribute names are checked when configured (letters, digits and _), so they are safe in the SQL.
        precondition(attributes.allSatisfy(SourceConfiguration.isAttributeName), "attribute names are checked by the configuration")
        let sql = """
            SELECT \(Self.matchInputColumns)\(attributes.map { ", attributes::json ->> '\($0)'" }.joined())
            FROM \(relation("silver_customer")) WHERE is_current = 1 ORDER BY id
            """
        let rows = try work("read customers for matching") { session async throws(PostgresStoreError) in try await session.rows(sql) }
        var columns = MatchColumns()
        var texts = [TextColumn](repeating: TextColumn(), count: 11 + attributes.count)
        for index in texts.indices { texts[index].reserveCapacity(records: rows.count, bytes: 0) }
        columns.keys.reserveCapacity(records: rows.count, bytes: 0)
        columns.sourceIndex.reserveCapacity(rows.count)
        for row in rows {
            var source = row[0] ?? ""
            source.withUTF8 { columns.sourceIndex.append(columns.sourceIndex(of: $0)) }
            var key = row[1] ?? ""
            key.withUTF8 { columns.keys.append($0) }
            // NULL reads as empty text, which is a missing value too (as the embedded lake reads it).
            for index in texts.indices {
                var value = row[index + 2] ?? ""
                value.withUTF8 { texts[index].append($0) }
            }
        }
        columns.firstName = texts[0]
        columns.lastName = texts[1]
        columns.email = texts[2]
        columns.phone = texts[3]
        columns.birthDate = texts[4]
        columns.street = texts[5]
        columns.city = texts[6]
        columns.postcode = texts[7]
        columns.country = texts[8]
        columns.crmCustomerID = texts[9]
        columns.updatedAt = texts[10]
        columns.attributeNames = attributes
        columns.attributes = Array(texts[11...])
        return columns
    }

    public func currentGoldenIDs(_ index: SourceRecordIndex, count: Int) throws(StoreError) -> [Int64] {
        var result = [Int64](repeating: 0, count: count)
        for (record, golden) in try currentLinks() {
            if let position = index[record] { result[Int(position)] = golden.rawValue }
        }
        return result
    }

    public func forEachGoldenLink(_ body: (SourceRecordID, GoldenID) -> Void) throws(StoreError) {
        for (record, golden) in try currentLinks() { body(record, golden) }
    }

    /// Every current link, in the order they were made.
    private func currentLinks() throws(StoreError) -> [(SourceRecordID, GoldenID)] {
        let sql = "SELECT source, source_key, golden_id::text FROM \(relation("golden_xref")) WHERE valid_to_run IS NULL ORDER BY id"
        let rows = try work("read golden cross-references") { session async throws(PostgresStoreError) in try await session.rows(sql) }
        var links: [(SourceRecordID, GoldenID)] = []
        links.reserveCapacity(rows.count)
        for row in rows {
            links.append((SourceRecordID(source: SourceName(row[0] ?? ""), key: row[1] ?? ""), GoldenID(try integer(row[2], "a golden id"))))
        }
        return links
    }

    public func pairDecisions() throws(StoreError) -> [PairDecision] {
        try decisions("read pair decisions", where: "TRUE", [])
    }

    public func pairDecisions(among records: [SourceRecordID]) throws(StoreError) -> [PairDecision] {
        guard records.count > 1 else { return [] }
        return try decisions(
            "read pair decisions among records", where: "record_a = ANY($1::text[]) AND record_b = ANY($1::text[])",
            [Self.textArray(records.map(\.description))])
    }

    private func decisions(_ operation: String, where condition: String, _ arguments: [String?]) throws(StoreError) -> [PairDecision] {
        let sql = """
            SELECT record_a, record_b, decision, reason, decided_by, decided_at FROM \(relation("pair_decision"))
            WHERE \(condition) ORDER BY record_a, record_b
            """
        let rows = try work(operation) { session async throws(PostgresStoreError) in try await session.rows(sql, arguments) }
        var decisions: [PairDecision] = []
        for row in rows {
            guard let a = row[0].flatMap(SourceRecordID.init(parsing:)), let b = row[1].flatMap(SourceRecordID.init(parsing:)),
                let decision = row[2].flatMap(PairDecisionKind.init(rawValue:))
            else {
                throw StoreError(
                    .database, "a pair decision (\(row[0] ?? "NULL") / \(row[1] ?? "NULL")) holds \(row[2] ?? "NULL"), which is not a decision")
            }
            decisions.append(PairDecision(a: a, b: b, decision: decision, reason: row[3], decidedBy: row[4] ?? "", decidedAt: row[5] ?? ""))
        }
        return decisions
    }

    public func nextGoldenID() throws(StoreError) -> GoldenID {
        let sql = "SELECT (coalesce(max(id), 0) + 1)::text FROM \(relation("golden_record"))"
        return GoldenID(try integer(try work("read golden ids") { session async throws(PostgresStoreError) in try await session.value(sql) }, "a golden id"))
    }

    public func startMatchRun(actor: String, at: String) throws(StoreError) -> MatchRunID {
        let id = try work("start a match run") { session async throws(PostgresStoreError) in
            try await session.value("SELECT cdp.match_run_start($1)::text", [at])
        }
        return MatchRunID(try integer(id, "a new match run's id"))
    }

    public func writeMatchResult(
        run: MatchRunID, candidates: CandidateBatches, golden: GoldenWrite, statisticsJSON: String, modelJSON: String, at: String
    ) throws(StoreError) -> MatchWriteSummary {
        let runText = String(run.rawValue)
        let (records, links) = Self.goldenCopyText(golden, run: runText)
        let summary = try transaction("write the match result") { session async throws(PostgresStoreError) -> String? in
            var ranges = candidates.ranges.makeIterator()
            var position = 0
            _ = try await session.copyRows(
                into: "match_candidate_incoming",
                columns: ["run_id", "position", "record_a", "record_b", "probability", "match_key", "explanation"]
            ) { () throws(PostgresStoreError) -> [[String?]]? in
                guard let range = ranges.next() else { return nil }
                return candidates.drafts(range).map { draft in
                    position += 1
                    return [
                        runText, String(position), draft.a.description, draft.b.description, String(draft.probability), draft.key, draft.explanation,
                    ]
                }
            }
            try await session.copyText(records, into: "golden_record_incoming", columns: ["run_id", "id", "attributes", "member_count"])
            try await session.copyText(links, into: "golden_xref_incoming", columns: ["run_id", "position", "source", "source_key", "golden_id"])
            return try await session.value(
                "SELECT cdp.match_write_result($1::bigint, $2, $3, $4)", [runText, statisticsJSON, modelJSON, at])
        }
        let counts = (summary ?? "").split(separator: " ").compactMap { Int($0) }
        guard counts.count == 4 else {
            throw StoreError(.database, "the team store answered '\(summary ?? "NULL")' for a match result written, not four counts")
        }
        var written = MatchWriteSummary()
        written.candidates = candidates.count
        (written.goldenCreated, written.goldenUpdated, written.goldenRetired, written.linksChanged) = (counts[0], counts[1], counts[2], counts[3])
        return written
    }

    /// A run's golden records (run, id, attributes, member count) and every member's link (run, position, source,
    /// key, golden id), in COPY's text format, clusters in order, as the embedded lake writes them.
    static func goldenCopyText(_ golden: GoldenWrite, run: String) -> (records: ByteBuffer, links: ByteBuffer) {
        var records = ByteBuffer()
        var links = ByteBuffer()
        let set = golden.set
        let sourceNames = golden.records.sources.map(\.rawValue)
        var buffer: [UInt8] = []
        var position = 0
        golden.writer.withCursor { cursor in
            for cluster in 0..<set.count {
                let id = golden.ids[cluster]
                let members = set.members(of: cluster)
                cursor.write(cluster: cluster, overrides: golden.overrides[GoldenID(id)], into: &buffer)
                records.writeString("\(run)\t\(id)\t")
                buffer.withUnsafeBufferPointer { PostgresSession.writeCopyText(bytes: $0, to: &records) }
                records.writeString("\t\(members.count)\n")
                for member in members {
                    position += 1
                    links.writeString("\(run)\t\(position)\t")
                    PostgresSession.writeCopyText(sourceNames[Int(golden.records.sourceIndex[Int(member)])], to: &links)
                    links.writeString("\t")
                    PostgresSession.writeCopyText(golden.records.keys[Int(member)], to: &links)
                    links.writeString("\t\(id)\n")
                }
            }
        }
        return (records, links)
    }

    static let candidateColumns = """
        id::text, run_id::text, record_a, record_b, probability::text, match_key, explanation, status, decided_by, decided_at
        """

    public func candidates(status: CandidateStatus?, limit: Int, around centre: Double) throws(StoreError) -> [CandidateRow] {
        var arguments: [String?] = [String(centre), String(limit)]
        var filter = ""
        if let status {
            arguments.append(status.rawValue)
            filter = "WHERE status = $3"
        }
        return try candidateRows(
            "list candidates",
            "SELECT \(Self.candidateColumns) FROM \(relation("match_candidate")) \(filter) ORDER BY abs(probability - $1::float8), id LIMIT $2::bigint",
            arguments)
    }

    public func candidates(among records: [SourceRecordID]) throws(StoreError) -> [CandidateRow] {
        guard records.count > 1 else { return [] }
        return try candidateRows(
            "read candidates among records",
            "SELECT \(Self.candidateColumns) FROM \(relation("match_candidate")) WHERE record_a = ANY($1::text[]) AND record_b = ANY($1::text[]) ORDER BY id",
            [Self.textArray(records.map(\.description))])
    }

    public func candidate(_ id: CandidateID) throws(StoreError) -> CandidateRow? {
        try candidateRows(
            "read a candidate", "SELECT \(Self.candidateColumns) FROM \(relation("match_candidate")) WHERE id = $1::bigint", [String(id.rawValue)]
        ).first
    }

    public func candidateCounts() throws(StoreError) -> [CandidateStatus: Int] {
        let sql = "SELECT status, count(*)::text FROM \(relation("match_candidate")) GROUP BY status"
        var counts: [CandidateStatus: Int] = [:]
        for row in try work("count candidates", { session async throws(PostgresStoreError) in try await session.rows(sql) }) {
            guard let status = row[0].flatMap(CandidateStatus.init(rawValue:)) else {
                throw StoreError(.database, "a candidate has the status \(row[0] ?? "NULL"), which cdp does not know")
            }
            counts[status] = Int(try integer(row[1], "a candidate count"))
        }
        return counts
    }

    private func candidateRows(_ operation: String, _ sql: String, _ arguments: [String?]) throws(StoreError) -> [CandidateRow] {
        try work(operation) { session async throws(PostgresStoreError) in try await session.rows(sql, arguments) }.map {
            row throws(StoreError) in try Self.candidateRow(row)
        }
    }

    static func candidateRow(_ row: [String?]) throws(StoreError) -> CandidateRow {
        let id = try integer(row[0], "a candidate id")
        guard let a = row[2].flatMap(SourceRecordID.init(parsing:)), let b = row[3].flatMap(SourceRecordID.init(parsing:)),
            let status = row[7].flatMap(CandidateStatus.init(rawValue:)), let probability = row[4].flatMap(Double.init)
        else {
            throw StoreError(.database, "candidate P\(id) does not read as a candidate (records, status or probability)")
        }
        return CandidateRow(
            id: CandidateID(id), run: MatchRunID(try integer(row[1], "a match run id")), a: a, b: b, probability: probability,
            key: row[5] ?? "", explanation: row[6] ?? "", status: status, decidedBy: row[8], decidedAt: row[9])
    }

    public func goldenRecord(_ id: GoldenID) throws(StoreError) -> (record: GoldenRow, links: [GoldenLink], overrides: [GoldenOverride])? {
        let golden = relation("golden_record"), xref = relation("golden_xref"), override = relation("golden_override")
        let argument = [String(id.rawValue)]
        let (records, links, overrides) = try work("read a golden record") { session async throws(PostgresStoreError) in
            (
                try await session.rows(
                    """
                    SELECT attributes, member_count::text, created_run::text, updated_run::text, retired_run::text FROM \(golden)
                    WHERE id = $1::bigint
                    """, argument),
                try await session.rows(
                    """
                    SELECT source, source_key, valid_from_run::text, valid_to_run::text FROM \(xref) WHERE golden_id = $1::bigint
                    ORDER BY valid_to_run IS NOT NULL, source, source_key, id
                    """, argument),
                try await session.rows(
                    "SELECT attribute, value, set_by, set_at FROM \(override) WHERE golden_id = $1::bigint ORDER BY attribute", argument)
            )
        }
        guard let row = records.first else { return nil }
        let record = GoldenRow(
            id: id, attributesJSON: row[0] ?? "", memberCount: Int(try integer(row[1], "a member count")),
            createdRun: MatchRunID(try integer(row[2], "a match run id")), updatedRun: MatchRunID(try integer(row[3], "a match run id")),
            retiredRun: try optionalInteger(row[4], "a match run id").map(MatchRunID.init))
        var goldenLinks: [GoldenLink] = []
        for link in links {
            goldenLinks.append(
                GoldenLink(
                    record: SourceRecordID(source: SourceName(link[0] ?? ""), key: link[1] ?? ""), golden: id,
                    validFrom: MatchRunID(try integer(link[2], "a match run id")),
                    validTo: try optionalInteger(link[3], "a match run id").map(MatchRunID.init)))
        }
        return (
            record, goldenLinks,
            overrides.map { GoldenOverride(attribute: $0[0] ?? "", value: $0[1] ?? "", setBy: $0[2] ?? "", setAt: $0[3] ?? "") }
        )
    }

    public func goldenID(of record: SourceRecordID) throws(StoreError) -> GoldenID? {
        try goldenMemberships(of: [record])[record]?.golden
    }

    public func goldenOverrides() throws(StoreError) -> [GoldenID: [String: String]] {
        let sql = "SELECT golden_id::text, attribute, value FROM \(relation("golden_override"))"
        var result: [GoldenID: [String: String]] = [:]
        for row in try work("read golden overrides", { session async throws(PostgresStoreError) in try await session.rows(sql) }) {
            result[GoldenID(try integer(row[0], "a golden id")), default: [:]][row[1] ?? ""] = row[2] ?? ""
        }
        return result
    }

    public func goldenMembers(of golden: GoldenID) throws(StoreError) -> [SourceRecordID] {
        let sql = """
            SELECT source, source_key FROM \(relation("golden_xref")) WHERE golden_id = $1::bigint AND valid_to_run IS NULL
            ORDER BY source, source_key
            """
        return try work("read golden members") { session async throws(PostgresStoreError) in
            try await session.rows(sql, [String(golden.rawValue)])
        }.map { SourceRecordID(source: SourceName($0[0] ?? ""), key: $0[1] ?? "") }
    }

    public func goldenMemberships(of records: [SourceRecordID]) throws(StoreError) -> [SourceRecordID: GoldenMembership] {
        guard !records.isEmpty else { return [:] }
        let sql = """
            SELECT x.source, x.source_key, x.golden_id::text, g.member_count::text
            FROM unnest($1::text[], $2::text[]) AS k(source, source_key)
            JOIN \(relation("golden_xref", as: "x")) ON x.source = k.source AND x.source_key = k.source_key AND x.valid_to_run IS NULL
            JOIN \(relation("golden_record", as: "g")) ON g.id = x.golden_id
            """
        let arguments = [Self.textArray(records.map(\.source.rawValue)), Self.textArray(records.map(\.key))]
        var result: [SourceRecordID: GoldenMembership] = [:]
        for row in try work("read golden memberships", { session async throws(PostgresStoreError) in try await session.rows(sql, arguments) }) {
            result[SourceRecordID(source: SourceName(row[0] ?? ""), key: row[1] ?? "")] = GoldenMembership(
                golden: GoldenID(try integer(row[2], "a golden id")), memberCount: Int(try integer(row[3], "a member count")))
        }
        return result
    }

    public func customerWhereabouts(of records: [SourceRecordID]) throws(StoreError) -> [CustomerWhereabouts] {
        guard !records.isEmpty else { return [] }
        let sql = """
            SELECT EXISTS (SELECT 1 FROM \(relation("silver_customer", as: "s"))
                    WHERE s.source = k.source AND s.source_key = k.source_key AND s.is_current = 1),
                q.status, q.rules
            FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(source, source_key, n)
            LEFT JOIN LATERAL (SELECT status, rules FROM \(relation("quarantine_record", as: "q"))
                WHERE q.source = k.source AND q.source_key = k.source_key AND q.entity = 'customer' ORDER BY q.id DESC LIMIT 1) q ON TRUE
            ORDER BY k.n
            """
        let arguments = [Self.textArray(records.map(\.source.rawValue)), Self.textArray(records.map(\.key))]
        return try work("read where customer records stand") { session async throws(PostgresStoreError) in
            try await session.rows(sql, arguments)
        }.map { row throws(StoreError) in
            var quarantine: QuarantineStatus?
            if let status = row[1] {
                guard let known = QuarantineStatus(rawValue: status) else {
                    throw StoreError(.database, "a quarantined record has the status \(status), which cdp does not know")
                }
                quarantine = known
            }
            return CustomerWhereabouts(
                inSilver: row[0] == "true", quarantine: quarantine, quarantineRules: (row[2] ?? "").split(separator: ",").map(String.init))
        }
    }

    public func customers(_ ids: [SourceRecordID]) throws(StoreError) -> [MatchInput] {
        guard !ids.isEmpty else { return [] }
        let sql = """
            SELECT \(Self.matchInputColumns.replacingOccurrences(of: "source, source_key,", with: "s.source, s.source_key,"))
            FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(source, source_key, n)
            JOIN \(relation("silver_customer", as: "s")) ON s.source = k.source AND s.source_key = k.source_key AND s.is_current = 1
            ORDER BY k.n
            """
        let arguments = [Self.textArray(ids.map(\.source.rawValue)), Self.textArray(ids.map(\.key))]
        return try work("read customers") { session async throws(PostgresStoreError) in try await session.rows(sql, arguments) }.map {
            Self.matchInput($0)
        }
    }

    static func matchInput(_ row: [String?]) -> MatchInput {
        MatchInput(
            source: SourceName(row[0] ?? ""), sourceKey: row[1] ?? "", firstName: row[2], lastName: row[3], email: row[4], phone: row[5],
            birthDate: row[6], street: row[7], city: row[8], postcode: row[9], country: row[10], crmCustomerID: row[11], updatedAt: row[12])
    }
}
