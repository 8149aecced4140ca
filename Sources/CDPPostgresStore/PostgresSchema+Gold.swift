extension PostgresSchema {
    /// The gold layer is a run's write on the team store (migration `pg-gold-is-a-runs`): the run-write guard covers
    /// its tables, so only a session of a login role whose own session holds the run lock writes them, and only
    /// through three functions that check for themselves. The engine adds the layer up (`GoldLayerBuilder`, as the
    /// embedded lake does) and copies it in (COPY) between `cdp.gold_write_begin` (which empties the layer) and
    /// `cdp.gold_write_end`, in one transaction, so readers see the old layer or the new one, never half of each.
    ///
    /// A fresh store's tables have no planner statistics after a bulk load, and a gold build over them took minutes
    /// on the sample: `cdp.gold_read_begin` analyses what the build reads first, `cdp.gold_write_end` what it wrote.
    static let goldTables = ["customer_360", "customer_search", "customer_name_variant", "campaign_performance", "engagement_daily"]

    /// What the gold build reads.
    static let goldInputTables = [
        "golden_xref", "golden_record", "silver_customer", "silver_order", "silver_campaign", "silver_event", "quarantine_record",
    ]

    static let goldWriteObjects: [String] = [
        """
        DO $$ DECLARE t text; BEGIN
            FOREACH t IN ARRAY ARRAY[\(goldTables.map(literal).joined(separator: ", "))]
            LOOP
                EXECUTE format('CREATE TRIGGER run_write_needs_the_run_lock BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON cdp.%I '
                    'FOR EACH STATEMENT EXECUTE FUNCTION cdp.run_write_needs_the_run_lock()', t);
            END LOOP;
        END $$
        """,
        // Searches compare keys byte by byte (as SQLite does), whatever the database's collation.
        "CREATE INDEX customer_search_by_key_bytes ON cdp.customer_search (key COLLATE \"C\", golden_id)",
        "CREATE INDEX customer_name_variant_by_bytes ON cdp.customer_name_variant (variant COLLATE \"C\", name COLLATE \"C\")",
        """
        CREATE FUNCTION cdp.gold_read_begin() RETURNS void LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        BEGIN
            PERFORM cdp.require_run_lock('rebuild the gold layer');
            \(goldInputTables.map { "ANALYZE cdp.\($0);" }.joined(separator: "\n            "))
        END $$
        """,
        """
        CREATE FUNCTION cdp.gold_write_begin() RETURNS void LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        BEGIN
            PERFORM cdp.require_run_lock('rebuild the gold layer');
            -- DELETE, not TRUNCATE: readers keep reading the old layer until the new one commits.
            \(goldTables.map { "DELETE FROM cdp.\($0);" }.joined(separator: "\n            "))
        END $$
        """,
        """
        CREATE FUNCTION cdp.gold_write_end() RETURNS void LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        BEGIN
            PERFORM cdp.require_run_lock('rebuild the gold layer');
            \(goldTables.map { "ANALYZE cdp.\($0);" }.joined(separator: "\n            "))
        END $$
        """,
    ]
}
