import CDPCore
import CDPRepositories
import Foundation
import GRDB

extension LakeStore: StatusRepository {}

/// Counts for `cdp status` and the dashboard, the scorecard, and the lake's invariants for `cdp verify`.
extension LakeStore {
    /// Counts per source; `entities` says which silver table each source writes.
    /// - Parameter includingScans: also count silver history and warnings, which takes a scan of every
    ///   silver row; the dashboard passes `false` to read indexes only (those two stay 0).
    public func sourceStatuses(_ sources: [(SourceName, CanonicalEntity)], includingScans: Bool = true) throws(StoreError) -> [SourceStatus] {
        try read("count the lake") { db in
            try sources.map { source, entity in
                var status = SourceStatus(source: source)
                let name = source.rawValue
                status.batches = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM batch WHERE source = ?", arguments: [name]) ?? 0
                status.bronze = try Int.fetchOne(
                    db, sql: "SELECT COALESCE(SUM(rows_silver + rows_quarantined), 0) FROM batch WHERE source = ? AND state = 'ingested'",
                    arguments: [name]) ?? 0
                status.silverCurrent = try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM \(entity.silverTable) WHERE source = ? AND is_current = 1", arguments: [name]) ?? 0
                if includingScans {
                    status.silverHistory = (try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM \(entity.silverTable) WHERE source = ?", arguments: [name]) ?? 0) - status.silverCurrent
                }
                let rows = try Row.fetchAll(
                    db, sql: "SELECT status, COUNT(*) FROM quarantine_record WHERE source = ? GROUP BY status", arguments: [name])
                for row in rows {
                    let count: Int = row[1]
                    switch QuarantineStatus(rawValue: row[0]) {
                    case .open: status.quarantineOpen = count
                    case .fixed: status.quarantineFixed = count
                    case .rejected: status.quarantineRejected = count
                    case .released: status.released = count
                    case nil: break
                    }
                }
                if includingScans {
                    status.warnings = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM row_warning WHERE source = ?", arguments: [name]) ?? 0
                }
                return status
            }
        }
    }

    /// Pass rate of every rule over every batch ingested so far.
    public func rulePassRates() throws(StoreError) -> [RulePassRate] {
        try read("read rule pass rates") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT source, rule, MAX(severity), SUM(evaluated), SUM(failed) FROM rule_result
                    GROUP BY source, rule ORDER BY source, rule
                    """
            ).map { RulePassRate(source: SourceName($0[0] as String), rule: $0[1], severity: $0[2], evaluated: $0[3], failed: $0[4]) }
        }
    }

    /// Writes the scorecard of a run from the rule results of the batches it ingested. Returns rows written.
    /// - Parameter shouldStop: asked while the statement runs; a yes stops it and keeps nothing.
    @discardableResult
    public func recordScorecard(run: RunID, shouldStop: @escaping @Sendable () -> Bool = { false }) throws(StoreError) -> Int {
        try write("record the scorecard of \(run)", stoppingWhen: shouldStop) { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO dq_scorecard (run_id, source, rule, severity, evaluated, failed, pass_rate)
                    SELECT run_id, source, rule, MAX(severity), SUM(evaluated), SUM(failed),
                        CASE WHEN SUM(evaluated) = 0 THEN 1.0 ELSE 1.0 - CAST(SUM(failed) AS REAL) / SUM(evaluated) END
                    FROM rule_result WHERE run_id = ? GROUP BY run_id, source, rule
                    """,
                arguments: [run.rawValue])
            return db.changesCount
        }
    }

    /// Overall pass rate (all rules, all sources) of each of the last `limit` runs that had a scorecard,
    /// oldest first: the dashboard's sparkline.
    public func passRateTrend(limit: Int = 20) throws(StoreError) -> [(run: RunID, passRate: Double)] {
        try read("read the pass rate trend") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT run_id, 1.0 - CAST(SUM(failed) AS REAL) / MAX(SUM(evaluated), 1) FROM dq_scorecard
                    GROUP BY run_id ORDER BY run_id DESC LIMIT ?
                    """, arguments: [limit]
            ).map { (run: RunID($0[0] as Int64), passRate: $0[1] as Double) }.reversed()
        }
    }

    /// Every broken invariant of the lake's tables, named. Empty when the lake is sound.
    /// - Parameter isAlive: whether a process id still runs; a `running` run whose process is gone does
    ///   not excuse a half-ingested batch.
    public func invariantViolations(isAlive: (Int32) -> Bool = { _ in false }) throws(StoreError) -> [String] {
        try read("verify the lake") { db in
            var problems: [String] = []
            // Each landed row is in exactly one place: silver, or held in quarantine (bronze_row is their union).
            let twice = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, MIN(source) AS source, MIN(line) AS line, COUNT(*) AS copies, GROUP_CONCAT(landed_in) AS places
                    FROM (\(LakeSchema.landedRows(raw: false))) GROUP BY id HAVING COUNT(*) > 1 ORDER BY id LIMIT 20
                    """)
            for row in twice {
                let places = Set((row["places"] as String).split(separator: ",")).sorted().joined(separator: " and ")
                problems.append(
                    "conservation: bronze row \(BronzeRowID(row["id"] as Int64)) (\(row["source"] as String) line \(row["line"] as Int)) is in \(places), \(row["copies"] as Int) times")
            }
            let silverIDs = CanonicalEntity.allCases.map { "SELECT bronze_id FROM \($0.silverTable)" }.joined(separator: " UNION ALL ")
            let released = try Int.fetchOne(
                db,
                sql: "SELECT COUNT(*) FROM quarantine_record WHERE status = 'released' AND bronze_id NOT IN (\(silverIDs))") ?? 0
            if released > 0 { problems.append("quarantine: \(released) released records have no silver row") }
            var landedByBatch: [Int64: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT batch_id, COUNT(*) FROM (\(LakeSchema.landedRows(raw: false))) GROUP BY batch_id") {
                landedByBatch[row[0]] = row[1]
            }
            for batch in try Row.fetchAll(
                db,
                sql: """
                    SELECT b.id, b.source, b.file_name, b.rows_read, b.rows_unchanged, b.rows_silver, b.rows_quarantined
                    FROM batch b WHERE b.state = 'ingested'
                    """)
            {
                let id = BatchID(batch["id"] as Int64)
                let read: Int = batch["rows_read"], unchanged: Int = batch["rows_unchanged"], landed = landedByBatch[id.rawValue] ?? 0
                let silver: Int = batch["rows_silver"], quarantined: Int = batch["rows_quarantined"]
                let file: String = batch["file_name"]
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
            let running = try Int64?.fetchAll(db, sql: "SELECT pid FROM workflow_run WHERE state = 'running'")
                .filter { pid in pid.map { isAlive(Int32($0)) } ?? false }.count
            let stuck = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM batch WHERE state = 'ingesting'") ?? 0
            if stuck > 0 && running == 0 {
                problems.append("batches: \(stuck) left half-ingested by an interrupted run (killed or crashed); `cdp run` redoes them")
            }
            for entity in CanonicalEntity.allCases {
                let duplicates = try Int.fetchOne(
                    db,
                    sql: """
                        SELECT COUNT(*) FROM (SELECT 1 FROM \(entity.silverTable) WHERE is_current = 1
                        GROUP BY source, source_key HAVING COUNT(*) > 1)
                        """) ?? 0
                if duplicates > 0 {
                    problems.append("silver: \(duplicates) keys of \(entity.silverTable) have more than one current row")
                }
            }
            let openWithout = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM quarantine_record WHERE status = 'open' AND failures = '[]'") ?? 0
            if openWithout > 0 { problems.append("quarantine: \(openWithout) open records list no failure") }
            problems += try goldenLinkViolations(db)
            return problems
        }
    }

    /// The master-data invariants: each customer links to one active golden record, and golden records count their
    /// links. A customer that reached silver before the last finished match run began (landed, or released from
    /// quarantine) was there to be matched, so it must have a link; one that came since waits for the next match.
    private func goldenLinkViolations(_ db: Database) throws -> [String] {
        var problems: [String] = []
        let toRetired = try Int.fetchOne(
            db,
            sql: """
                SELECT COUNT(*) FROM golden_xref x LEFT JOIN golden_record g ON g.id = x.golden_id
                WHERE x.valid_to_run IS NULL AND (g.id IS NULL OR g.retired_run IS NOT NULL)
                """) ?? 0
        if toRetired > 0 {
            problems.append("golden: \(toRetired) customers link to a golden record that is retired or missing; `cdp match run` links them again")
        }
        let miscounted = try Row.fetchAll(
            db,
            sql: """
                SELECT g.id, g.member_count,
                       (SELECT COUNT(*) FROM golden_xref x WHERE x.golden_id = g.id AND x.valid_to_run IS NULL) AS links
                FROM golden_record g WHERE g.retired_run IS NULL AND g.member_count <> links ORDER BY g.id LIMIT 20
                """)
        for row in miscounted {
            let links: Int = row["links"]
            problems.append(
                "golden: golden record \(row["id"] as Int64) counts \(row["member_count"] as Int) members but \(links) customers link to it"
                    + (links == 0 ? " (an active golden record without members)" : ""))
        }
        let withoutCustomer = try Int.fetchOne(
            db,
            sql: """
                SELECT COUNT(*) FROM golden_xref x WHERE x.valid_to_run IS NULL AND NOT EXISTS (
                    SELECT 1 FROM silver_customer c WHERE c.source = x.source AND c.source_key = x.source_key AND c.is_current = 1)
                """) ?? 0
        if withoutCustomer > 0 { problems.append("golden: \(withoutCustomer) current links name no current customer") }
        let unlinked = try Int.fetchOne(
            db,
            sql: """
                SELECT COUNT(*) FROM silver_customer c JOIN batch b ON b.id = c.batch_id
                WHERE c.is_current = 1
                  AND COALESCE(
                      (SELECT q.updated_at FROM quarantine_record q WHERE q.bronze_id = c.bronze_id AND q.status = 'released'), b.landed_at
                  ) < (SELECT started_at FROM match_run WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1)
                  AND NOT EXISTS (
                      SELECT 1 FROM golden_xref x WHERE x.source = c.source AND x.source_key = c.source_key AND x.valid_to_run IS NULL)
                """) ?? 0
        if unlinked > 0 {
            problems.append(
                "golden: \(unlinked) customers landed before the last match run have no golden record; `cdp match run` (or `cdp run`) links them")
        }
        return problems
    }
}
