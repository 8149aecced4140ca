extension PostgresSchema {
    /// Where `cdp audit verify` starts comparing a run's start with its `run.start` row (migration
    /// `pg-audit-verify-checks-runs-on-the-servers-clock`). Runs record the server's clock only since
    /// `pg-runs-and-their-rows-are-the-servers`; a run recorded before it on an upgraded store carries the client's
    /// times, which may differ from its audited start by anything, and was flagged as written outside cdp run. The
    /// first run recorded under that migration is kept here: the first run whose start is at or after the time it was
    /// applied when it was applied by an earlier install, else the next run to come.
    static let runClockBoundaryObjects: [String] = [
        """
        CREATE TABLE cdp.run_clock_boundary (
            id int PRIMARY KEY CHECK (id = 1),
            first_run bigint NOT NULL
        )
        """,
        """
        INSERT INTO cdp.run_clock_boundary (id, first_run)
        SELECT 1, coalesce(
            (SELECT min(r.id) FROM cdp.workflow_run r JOIN cdp.schema_migration m ON m.name = 'pg-runs-and-their-rows-are-the-servers'
                WHERE m.applied_at < now() AND cdp.is_lake_timestamp(r.started_at) AND r.started_at::timestamptz >= m.applied_at),
            (SELECT coalesce(max(id), 0) + 1 FROM cdp.workflow_run))
        """,
        """
        CREATE FUNCTION cdp.first_run_on_the_servers_clock() RETURNS bigint LANGUAGE sql STABLE
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
            SELECT first_run FROM cdp.run_clock_boundary WHERE id = 1
        $$
        """,
        // Stores whose access was applied before this migration: their group roles may read it too.
        grantToExistingGroups("cdp.first_run_on_the_servers_clock()"),
    ]
}
