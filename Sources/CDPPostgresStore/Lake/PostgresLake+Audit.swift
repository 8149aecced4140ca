import CDPCore
import CDPRepositories
import Foundation

/// The audit log on the team store: appended by `cdp.append_own_audit` under the login role's own name (the
/// database stamps the time and links the chain; `draft.actor` and `at` are the engine's view of them, which the
/// database does not take on trust), read as the embedded lake's is.
extension PostgresLake: AuditRepository {
    public func appendAudit(_ draft: AuditDraft, at: String) throws(StoreError) -> AuditEntryID? {
        let arguments: [String?] = [draft.action, draft.target, draft.before, draft.after, draft.reason]
        let id = try work("append to the audit log") { session async throws(PostgresStoreError) in
            try await session.value("SELECT cdp.append_own_audit($1, $2, $3, $4, $5)::text", arguments)
        }
        // No id: the row of a role that may write nothing waits in the store's inbox (``PostgresSchema/auditInboxObjects``).
        guard id != nil else { return nil }
        return AuditEntryID(try integer(id, "a new audit row's id"))
    }

    public func auditEntries(_ filter: AuditFilter) throws(StoreError) -> [AuditEntry] {
        var clauses: [String] = []
        var arguments: [String?] = []
        for (column, value) in [("actor", filter.actor), ("action", filter.action), ("target", filter.target)] {
            guard let value else { continue }
            arguments.append(value)
            clauses.append("\(column) = $\(arguments.count)")
        }
        arguments.append(String(filter.limit))
        let sql = """
            SELECT id::text, at, actor, action, target, before, after, reason, previous_hash, hash FROM \(relation("audit_log"))
            \(clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")) ORDER BY audit_log.id DESC LIMIT $\(arguments.count)::bigint
            """
        return try auditRows("read the audit log", sql, arguments)
    }

    /// The login role's own rows: its rows waiting in the inbox count too, though no login reads it.
    public func auditCount(actor: String, action: String, since: String) throws(StoreError) -> Int {
        let count = try work("count audit rows") { session async throws(PostgresStoreError) in
            try await session.value("SELECT cdp.own_audit_count($1, $2)::text", [action, since])
        }
        return Int(try integer(count, "a count of audit rows"))
    }

    public func ownPendingAuditEntries(_ filter: AuditFilter) throws(StoreError) -> [AuditEntry] {
        // Only one's own rows wait readable (``PostgresSchema/ownPendingAuditObjects``).
        guard filter.actor == nil || filter.actor == user else { return [] }
        return try auditRows(
            "read your audit rows waiting to join the log",
            "SELECT id::text, at, actor, action, target, before, after, reason, '', '' FROM cdp.own_pending_audit($1, $2, $3::bigint)",
            [filter.action, filter.target, String(filter.limit)])
    }

    public func auditChainProblems() throws(StoreError) -> [String] {
        try work("verify the audit log") { session async throws(PostgresStoreError) in try await PostgresTeamStore.auditChainProblems(session) }
    }

    func auditRows(_ operation: String, _ sql: String, _ arguments: [String?]) throws(StoreError) -> [AuditEntry] {
        let rows = try work(operation) { session async throws(PostgresStoreError) in try await session.rows(sql, arguments) }
        var entries: [AuditEntry] = []
        for row in rows {
            entries.append(
                AuditEntry(
                    id: AuditEntryID(try integer(row[0], "an audit row's id")), at: row[1] ?? "", actor: row[2] ?? "", action: row[3] ?? "",
                    target: row[4] ?? "", before: row[5], after: row[6], reason: row[7], previousHash: row[8] ?? "", hash: row[9] ?? ""))
        }
        return entries
    }
}

/// The access file's history. On the team store the database enforces the policy and `cdp access apply` records
/// each apply in the audit log (`access.apply`); the workspace's own copy of the file is not recorded here.
extension PostgresLake: AccessPolicyRepository {
    public func lastAccessFileEvent() throws(StoreError) -> AuditEntry? {
        try auditRows(
            "read the access file's audit rows",
            """
            SELECT id::text, at, actor, action, target, before, after, reason, previous_hash, hash FROM \(relation("audit_log"))
            WHERE action IN ('access.recorded', 'access.changed', 'access.restored', 'access.apply') ORDER BY audit_log.id DESC LIMIT 1
            """, []
        ).first
    }

    public func latestAccessPolicy() throws(StoreError) -> AccessPolicyVersion? {
        try accessPolicyVersions("SELECT id::text, recorded_at, recorded_by, event, sha256, text FROM cdp.access_policy_version ORDER BY access_policy_version.id DESC LIMIT 1")
            .first
    }

    public func accessPolicyHistory() throws(StoreError) -> [AccessPolicyVersion] {
        try accessPolicyVersions("SELECT id::text, recorded_at, recorded_by, event, sha256, text FROM cdp.access_policy_version ORDER BY access_policy_version.id")
    }

    public func recordAccessPolicy(sha256: String, text: String, event: String, by user: String, at: String, audit: AuditDraft)
        throws(StoreError) -> Bool
    {
        throw StoreError(
            .unsupported,
            "a team store does not record the workspace's copy of governance/access.toml: the database enforces what "
                + "`cdp access apply -w WORKSPACE --store ADDRESS` last applied (audited there as access.apply); apply the file again instead")
    }

    private func accessPolicyVersions(_ sql: String) throws(StoreError) -> [AccessPolicyVersion] {
        let rows = try work("read the access policy history") { session async throws(PostgresStoreError) in try await session.rows(sql) }
        var versions: [AccessPolicyVersion] = []
        for row in rows {
            versions.append(
                AccessPolicyVersion(
                    id: try integer(row[0], "an access policy version"), recordedAt: row[1] ?? "", recordedBy: row[2] ?? "",
                    event: row[3] ?? "", sha256: row[4] ?? "", text: row[5] ?? ""))
        }
        return versions
    }
}

/// Counts, pass rates and the scorecard, as the embedded lake computes them (`LakeStore+Status`).
extension PostgresLake: StatusRepository {
    public func sourceStatuses(_ sources: [(SourceName, CanonicalEntity)], includingScans: Bool) throws(StoreError) -> [SourceStatus] {
        let names = sources.map { ($0.0.rawValue, $0.1.silverTable) }
        let from = readable
        let rows = try work("count the lake") { session async throws(PostgresStoreError) -> [[String?]] in
            var counts: [[String?]] = []
            for (source, table) in names {
                let history = includingScans ? "(SELECT count(*) FROM \(from(table)) WHERE source = $1 AND is_current <> 1)" : "0"
                let warnings = includingScans ? "(SELECT count(*) FROM \(from("row_warning")) WHERE source = $1)" : "0"
                counts += try await session.rows(
                    """
                    SELECT (SELECT count(*) FROM \(from("batch")) WHERE source = $1)::text,
                        (SELECT coalesce(sum(rows_silver + rows_quarantined), 0) FROM \(from("batch")) WHERE source = $1 AND state = 'ingested')::text,
                        (SELECT count(*) FROM \(from(table)) WHERE source = $1 AND is_current = 1)::text, \(history)::text,
                        (SELECT count(*) FROM \(from("quarantine_record")) WHERE source = $1 AND status = 'open')::text,
                        (SELECT count(*) FROM \(from("quarantine_record")) WHERE source = $1 AND status = 'fixed')::text,
                        (SELECT count(*) FROM \(from("quarantine_record")) WHERE source = $1 AND status = 'rejected')::text,
                        (SELECT count(*) FROM \(from("quarantine_record")) WHERE source = $1 AND status = 'released')::text, \(warnings)::text
                    """, [source])
            }
            return counts
        }
        var statuses: [SourceStatus] = []
        for (index, source) in sources.enumerated() {
            let row = rows[index]
            func count(_ column: Int) throws(StoreError) -> Int { Int(try integer(row[column], "a count of \(source.0)")) }
            var status = SourceStatus(source: source.0)
            status.batches = try count(0)
            status.bronze = try count(1)
            status.silverCurrent = try count(2)
            status.silverHistory = try count(3)
            status.quarantineOpen = try count(4)
            status.quarantineFixed = try count(5)
            status.quarantineRejected = try count(6)
            status.released = try count(7)
            status.warnings = try count(8)
            statuses.append(status)
        }
        return statuses
    }

    public func rulePassRates() throws(StoreError) -> [RulePassRate] {
        let rows = try work("read rule pass rates") { session async throws(PostgresStoreError) in
            try await session.rows(
                """
                SELECT source, rule, max(severity), sum(evaluated)::text, sum(failed)::text FROM cdp.rule_result
                GROUP BY source, rule ORDER BY source, rule
                """)
        }
        var rates: [RulePassRate] = []
        for row in rows {
            rates.append(
                RulePassRate(
                    source: SourceName(row[0] ?? ""), rule: row[1] ?? "", severity: row[2] ?? "",
                    evaluated: Int(try integer(row[3], "a rule's evaluated rows")), failed: Int(try integer(row[4], "a rule's failed rows"))))
        }
        return rates
    }

    public func passRateTrend(limit: Int) throws(StoreError) -> [(run: RunID, passRate: Double)] {
        let rows = try work("read the pass rate trend") { session async throws(PostgresStoreError) in
            try await session.rows(
                """
                SELECT run_id::text, (1.0 - sum(failed)::double precision / greatest(sum(evaluated), 1))::text FROM cdp.dq_scorecard
                GROUP BY dq_scorecard.run_id ORDER BY dq_scorecard.run_id DESC LIMIT $1::bigint
                """, [String(limit)])
        }
        var trend: [(run: RunID, passRate: Double)] = []
        for row in rows.reversed() { trend.append((RunID(try integer(row[0], "a run id")), try Self.double(row[1]))) }
        return trend
    }

    public func passRateTrendBySource(limit: Int) throws(StoreError) -> [(source: String, rates: [(run: RunID, passRate: Double)])] {
        let rows = try work("read the pass rate trend by source") { session async throws(PostgresStoreError) in
            try await session.rows(
                """
                SELECT run_id::text, source, (1.0 - sum(failed)::double precision / greatest(sum(evaluated), 1))::text FROM cdp.dq_scorecard
                WHERE run_id IN (SELECT DISTINCT run_id FROM cdp.dq_scorecard ORDER BY run_id DESC LIMIT $1::bigint)
                GROUP BY dq_scorecard.run_id, source ORDER BY source, dq_scorecard.run_id
                """, [String(limit)])
        }
        var order: [String] = []
        var rates: [String: [(run: RunID, passRate: Double)]] = [:]
        for row in rows {
            let source = row[1] ?? ""
            if rates[source] == nil { order.append(source) }
            rates[source, default: []].append((RunID(try integer(row[0], "a run id")), try Self.double(row[2])))
        }
        return order.map { ($0, rates[$0] ?? []) }
    }

    public func recordScorecard(run: RunID, shouldStop: @escaping @Sendable () -> Bool) throws(StoreError) -> Int {
        let id = String(run.rawValue)
        let written = try transaction("record the scorecard of \(run)") { session async throws(PostgresStoreError) in
            try await session.value(
                """
                WITH written AS (
                    INSERT INTO cdp.dq_scorecard (run_id, source, rule, severity, evaluated, failed, pass_rate)
                    SELECT run_id, source, rule, max(severity), sum(evaluated), sum(failed),
                        CASE WHEN sum(evaluated) = 0 THEN 1.0 ELSE 1.0 - sum(failed)::double precision / sum(evaluated) END
                    FROM cdp.rule_result WHERE run_id = $1::bigint GROUP BY run_id, source, rule
                    ON CONFLICT (run_id, source, rule) DO UPDATE SET severity = excluded.severity, evaluated = excluded.evaluated,
                        failed = excluded.failed, pass_rate = excluded.pass_rate
                    RETURNING 1)
                SELECT count(*)::text FROM written
                """, [id])
        }
        return Int(try integer(written, "the scorecard's rows"))
    }

    public func invariantViolations(isAlive: (Int32) -> Bool) throws(StoreError) -> [String] {
        let from = readable
        let (twice, released, batches, running, stuck, duplicates, openWithout) = try work("verify the lake") {
            session async throws(PostgresStoreError) in
            let twice = try await session.rows(
                """
                SELECT id::text, min(source), min(line)::text, count(*)::text, string_agg(DISTINCT landed_in, ' and ' ORDER BY landed_in)
                FROM \(from("bronze_row")) GROUP BY bronze_row.id HAVING count(*) > 1 ORDER BY bronze_row.id LIMIT 20
                """)
            let released = try await session.value(
                """
                SELECT count(*)::text FROM \(from("quarantine_record", as: "q")) WHERE status = 'released' AND NOT EXISTS (
                    SELECT 1 FROM \(from("bronze_row", as: "b")) WHERE b.id = q.bronze_id AND b.landed_in <> 'quarantine_record')
                """)
            let batches = try await session.rows(
                """
                SELECT b.id::text, b.file_name, b.rows_read::text, b.rows_unchanged::text, b.rows_silver::text, b.rows_quarantined::text,
                    (SELECT count(*) FROM \(from("bronze_row", as: "r")) WHERE r.batch_id = b.id)::text
                FROM \(from("batch", as: "b")) WHERE b.state = 'ingested' ORDER BY b.id
                """)
            let running = try await session.rows("SELECT pid::text FROM \(from("workflow_run")) WHERE state = 'running'").map { $0[0] }
            let stuck = try await session.value("SELECT count(*)::text FROM \(from("batch")) WHERE state = 'ingesting'")
            var duplicates: [(String, String?)] = []
            for entity in CanonicalEntity.allCases {
                duplicates.append(
                    (
                        entity.silverTable,
                        try await session.value(
                            """
                            SELECT count(*)::text FROM (SELECT 1 FROM \(from(entity.silverTable)) WHERE is_current = 1
                            GROUP BY source, source_key HAVING count(*) > 1) d
                            """)
                    ))
            }
            let openWithout = try await session.value("SELECT count(*)::text FROM \(from("quarantine_record")) WHERE status = 'open' AND failures = '[]'")
            return (twice, released, batches, running, stuck, duplicates, openWithout)
        }
        var problems: [String] = []
        for row in twice {
            problems.append(
                "conservation: bronze row \(BronzeRowID(try integer(row[0], "a bronze id"))) (\(row[1] ?? "?") line \(row[2] ?? "?")) is in "
                    + "\(row[4] ?? "?"), \(row[3] ?? "?") times")
        }
        let releasedCount = try integer(released, "released records")
        if releasedCount > 0 { problems.append("quarantine: \(releasedCount) released records have no silver row") }
        for batch in batches {
            let id = BatchID(try integer(batch[0], "a batch id"))
            let file = batch[1] ?? ""
            let read = try integer(batch[2], "rows read"), unchanged = try integer(batch[3], "rows unchanged")
            let silver = try integer(batch[4], "silver rows"), quarantined = try integer(batch[5], "quarantined rows")
            let landed = try integer(batch[6], "landed rows")
            if read != landed + unchanged {
                let lost = read - unchanged - landed
                problems.append(
                    "conservation: batch \(id) (\(file)): \(read) rows read but \(landed) in silver or quarantine + \(unchanged) unchanged"
                        + (lost > 0 ? " (\(lost) lost)" : ""))
            }
            if landed != silver + quarantined {
                problems.append("batch \(id) (\(file)): \(landed) rows landed but the batch counts \(silver) to silver + \(quarantined) quarantined")
            }
        }
        // A run of another machine cannot be asked after by its process id: a running run excuses the batch.
        let stuckCount = try integer(stuck, "half-ingested batches")
        if stuckCount > 0 && running.isEmpty {
            problems.append("batches: \(stuckCount) left half-ingested by an interrupted run (killed or crashed); `cdp run` redoes them")
        }
        for (table, count) in duplicates {
            let keys = try integer(count, "duplicate keys")
            if keys > 0 { problems.append("silver: \(keys) keys of \(table) have more than one current row") }
        }
        let open = try integer(openWithout, "open records without failures")
        if open > 0 { problems.append("quarantine: \(open) open records list no failure") }
        return problems
    }

    static func double(_ text: String?) throws(StoreError) -> Double {
        guard let text, let value = Double(text) else {
            throw StoreError(.database, "the team store returned \(text ?? "NULL") for a pass rate, which is not a number")
        }
        return value
    }
}
