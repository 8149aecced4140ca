/// The team store's schema as named migrations of fixed SQL: never built from live domain types, never edited
/// once shipped (append a migration instead). The tables mirror the embedded lake's (`LakeSchema` in CDPStore)
/// as it stands after its last migration: same names, columns and meaning; SQLite's INTEGER is `bigint`, REAL
/// `double precision`, TEXT `text`. JSON columns stay `text`, so the audit chain hashes the bytes it was given.
///
/// Everything lives in schema `cdp`, owned by the NOLOGIN role `cdp_owner`: no one logs in as the owner, and
/// login roles get only what ``PostgresAccessPlan`` grants their group role.
public enum PostgresSchema {
    /// The schema every table, view and function is in.
    public static let schema = "cdp"
    /// The NOLOGIN role owning every object; the steward functions run as it (`SECURITY DEFINER`).
    public static let owner = "cdp_owner"

    /// A migration: a name recorded in `cdp.schema_migration` once applied, and its statements, run as the owner.
    public struct Migration: Sendable {
        public var name: String
        public var statements: [String]
    }

    /// What the installer runs before the migrations, as itself (a superuser or the database's owner): the owner
    /// role, and a database where nobody but the roles granted later may connect, create, or write anything
    /// (no temporary tables, no objects in `public`, no large objects, no advisory locks but through the run lock).
    static func preparation(database: String) -> [String] {
        let db = quoted(database)
        return [
            """
            DO $$ BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '\(owner)') THEN CREATE ROLE \(owner) NOLOGIN; END IF;
            END $$
            """,
            "REVOKE ALL ON DATABASE \(db) FROM PUBLIC",
            "REVOKE ALL ON SCHEMA public FROM PUBLIC",
            "ALTER DATABASE \(db) SET search_path = \(schema)",
            // Large objects are writable storage any role could fill; server-side import is superuser-only already.
            """
            DO $$ DECLARE f regprocedure; BEGIN
                FOR f IN SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                    WHERE n.nspname = 'pg_catalog' AND (p.proname IN ('lo_creat', 'lo_create', 'lo_from_bytea', 'lo_import')
                        OR p.proname LIKE 'pg\\_%advisory\\_%')
                LOOP
                    EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
                END LOOP;
                FOR f IN SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                    WHERE n.nspname = 'pg_catalog' AND p.proname LIKE 'pg\\_%advisory\\_%'
                LOOP
                    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO \(owner)', f);
                END LOOP;
            END $$
            """,
            "GRANT CONNECT ON DATABASE \(db) TO \(owner)",
            // So the run lock can name who holds it (other sessions' start times are hidden from ordinary roles).
            "GRANT pg_read_all_stats TO \(owner)",
            // So an admin can break the run lock (`cdp.break_run_lock`): end the session holding it.
            "GRANT pg_signal_backend TO \(owner)",
            "CREATE SCHEMA IF NOT EXISTS \(schema) AUTHORIZATION \(owner)",
            "REVOKE ALL ON SCHEMA \(schema) FROM PUBLIC",
            // Functions are executable by PUBLIC unless revoked: nothing the owner creates is.
            "ALTER DEFAULT PRIVILEGES FOR ROLE \(owner) REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC",
            """
            CREATE TABLE IF NOT EXISTS \(schema).schema_migration (
                name text PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            "ALTER TABLE \(schema).schema_migration OWNER TO \(owner)",
        ]
    }

    /// Every migration, in order.
    public static let migrations: [Migration] = [
        Migration(name: "pg1-lake", statements: lakeTables),
        Migration(name: "pg1-audit", statements: auditObjects),
        Migration(name: "pg1-masking", statements: maskingFunctions),
        Migration(name: "pg1-steward-functions", statements: stewardFunctions),
        Migration(name: "pg2-run-lock", statements: runLockObjects),
        Migration(name: "pg3-refusals", statements: refusalObjects),
        Migration(name: "pg4-masked-views-follow-the-dictionary", statements: maskedViewObjects),
        Migration(name: "pg5-run-parameters-and-customer-attributes", statements: attributeObjects),
        Migration(name: "pg6-loosening-masking-needs-view-pii", statements: dictionaryGuardObjects),
        Migration(name: "pg7-work-claims", statements: workClaimObjects),
        Migration(name: "pg8-workspaces-on-the-store", statements: pipelineObjects),
        Migration(name: "pg9-quarantine-changes-as-read", statements: quarantineChangeObjects),
        Migration(name: "pg-run-writes-need-the-run-lock", statements: runWriteObjects),
        Migration(name: "pg-quarantine-fix-merges-its-edits", statements: quarantineFixMergeObjects),
        Migration(name: "pg-match-results-are-a-runs", statements: matchWriteObjects),
        Migration(name: "pg-audit-hashes-need-view-pii", statements: auditHashObjects),
        Migration(name: "pg-bronze-ids-only-for-a-running-run", statements: bronzeIDObjects),
        Migration(name: "pg-runs-keep-their-trail", statements: runTrailObjects),
        Migration(name: "pg-landed-rows-withhold-their-length", statements: landedRowObjects),
        Migration(name: "pg-quarantine-reopen-as-read", statements: quarantineReopenObjects),
        Migration(name: "pg-work-claims-through-a-function", statements: workClaimChangeObjects),
        Migration(name: "pg-dictionary-seed", statements: dictionarySeedObjects),
        Migration(name: "pg-a-decision-ends-the-hold", statements: decisionEndsTheHoldObjects),
        Migration(name: "pg-failure-explanations-withheld", statements: failureMessageObjects),
        Migration(name: "pg-audited-writes-wait-for-the-audit-log-at-most-15s", statements: auditWaitObjects),
        Migration(name: "pg-dictionary-tag-changes-name-the-readers-they-wait-for", statements: maskedViewWaitObjects),
        Migration(name: "pg-exports-are-audited", statements: exportAuditObjects),
        Migration(name: "pg-gold-is-a-runs", statements: goldWriteObjects),
        Migration(name: "pg-review-decisions-through-functions", statements: matchDecisionObjects),
        Migration(name: "pg-revalidation-is-a-runs", statements: revalidationObjects),
        Migration(name: "pg-runs-and-their-rows-are-the-servers", statements: runHistoryObjects),
        Migration(name: "pg-dictionary-seeds-are-always-audited", statements: dictionarySeedAuditObjects),
        Migration(name: "pg-work-claims-audited-as-the-database-changed-them", statements: workClaimAuditObjects),
        Migration(name: "pg-decided-items-end-their-holds", statements: decidedHoldObjects),
        Migration(name: "pg-only-writers-hold-the-audit-head", statements: auditInboxObjects),
        Migration(name: "pg-customer-lookups-are-audited", statements: customerLookupAuditObjects),
        Migration(name: "pg-decisions-lock-their-golden-records", statements: goldenDecisionLockObjects),
        Migration(name: "pg-candidate-decide-is-dropped", statements: oldCandidateDecisionObjects),
        Migration(name: "pg-consoles-see-each-others-changes", statements: changeFeedObjects),
        Migration(name: "pg-only-roles-that-write-hold-the-audit-head", statements: auditWriterObjects),
        Migration(name: "pg-audit-verify-checks-runs-on-the-servers-clock", statements: runClockBoundaryObjects),
        Migration(name: "pg-quarantine-key-fix-as-read", statements: quarantineKeyFixObjects),
        Migration(name: "pg-own-pending-audit-rows-read-back", statements: ownPendingAuditObjects),
        Migration(name: "pg-an-approve-locks-golden-records-first", statements: approveLockOrderObjects),
        Migration(name: "pg-a-run-is-recorded-by-the-run-lock-holder", statements: runLockHolderRunObjects),
        Migration(name: "pg-admin-effects-are-requested-and-audited-first", statements: adminRequestObjects),
        Migration(name: "pg-a-first-load-builds-its-indexes-after", statements: firstLoadIndexObjects),
        Migration(name: "pg-held-attributes-are-personal", statements: heldAttributeObjects),
        Migration(name: "pg-an-unmerge-refuses-no-list-of-other-members", statements: unmergeOthersObjects),
        Migration(name: "pg-json-members-follow-the-dictionarys-tags", statements: taggedNameObjects),
        Migration(name: "pg-the-run-lock-is-read-in-one-place", statements: runLockReaderObjects),
        Migration(name: "pg-admin-requests-left-are-listed", statements: adminRequestLeftObjects),
        Migration(name: "pg-chunks-take-their-ids-in-order", statements: chunkIDObjects),
        Migration(name: "pg-admin-requests-are-internal", statements: adminRequestInternalObjects),
        Migration(name: "pg-a-run-commits-with-its-start", statements: runCommitsWithItsStartObjects),
        Migration(name: "pg-admin-request-reasons-need-view-pii", statements: adminRequestReasonObjects),
        Migration(name: "pg-a-load-leaves-a-live-loaders-indexes-alone", statements: liveLoaderObjects),
    ]

    /// The lake's tables and views, as the embedded lake has them after `v7-audit-anchor-state` (pg5 adds what its
    /// v8 and v9 added).
    static let lakeTables: [String] = [
        """
        CREATE TABLE cdp.workflow_run (
            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            workflow text NOT NULL,
            state text NOT NULL,
            actor text NOT NULL,
            trigger text NOT NULL,
            pid bigint,
            started_at text NOT NULL,
            finished_at text,
            error text,
            audit_rows bigint,
            audit_head text
        )
        """,
        """
        CREATE TABLE cdp.task_run (
            run_id bigint NOT NULL REFERENCES cdp.workflow_run(id),
            task_key text NOT NULL,
            position bigint NOT NULL,
            step text NOT NULL,
            depends_on text NOT NULL,
            state text NOT NULL,
            attempt bigint NOT NULL DEFAULT 0,
            started_at text,
            finished_at text,
            duration_ms bigint,
            processed bigint NOT NULL DEFAULT 0,
            total bigint,
            counts text,
            error text,
            PRIMARY KEY (run_id, task_key)
        )
        """,
        """
        CREATE TABLE cdp.run_event (
            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            run_id bigint NOT NULL REFERENCES cdp.workflow_run(id),
            task_key text,
            at text NOT NULL,
            kind text NOT NULL,
            processed bigint,
            total bigint,
            message text
        )
        """,
        "CREATE INDEX run_event_by_run ON cdp.run_event(run_id, id)",
        """
        CREATE TABLE cdp.batch (
            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            source text NOT NULL,
            file_name text NOT NULL,
            landed_path text NOT NULL,
            sha256 text NOT NULL,
            bytes bigint NOT NULL,
            landed_at text NOT NULL,
            run_id bigint,
            state text NOT NULL,
            rows_read bigint NOT NULL DEFAULT 0,
            rows_unchanged bigint NOT NULL DEFAULT 0,
            rows_silver bigint NOT NULL DEFAULT 0,
            rows_quarantined bigint NOT NULL DEFAULT 0,
            rows_warned bigint NOT NULL DEFAULT 0,
            error text,
            UNIQUE (source, sha256)
        )
        """,
        "CREATE INDEX batch_by_source ON cdp.batch(source)",
        // Rows landed before the embedded lake kept spans (its v5) keep their text here.
        """
        CREATE TABLE cdp.bronze_row_v1 (
            id bigint PRIMARY KEY,
            batch_id bigint NOT NULL REFERENCES cdp.batch(id),
            source text NOT NULL,
            line bigint NOT NULL,
            source_key text NOT NULL,
            content_hash bigint NOT NULL,
            raw text NOT NULL
        )
        """,
        // Bronze row ids are handed out by the lake, as the embedded lake's id_sequence row does.
        "CREATE SEQUENCE cdp.bronze_row_id",
        """
        CREATE TABLE cdp.silver_customer (
            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            bronze_id bigint NOT NULL,
            batch_id bigint NOT NULL,
            line bigint NOT NULL,
            record_offset bigint,
            record_length bigint,
            source text NOT NULL,
            source_key text NOT NULL,
            content_hash bigint NOT NULL,
            is_current bigint NOT NULL,
            superseded_by bigint,
            first_name text,
            last_name text,
            full_name text,
            email text,
            phone text,
            birth_date text,
            street text,
            city text,
            postcode text,
            country text,
            created_at text,
            updated_at text,
            loyalty_tier text,
            email_opt_in bigint,
            sms_opt_in bigint,
            crm_customer_id text,
            signup_source text
        )
        """,
        "CREATE INDEX silver_customer_current ON cdp.silver_customer(source, source_key) WHERE is_current = 1",
        """
        CREATE TABLE cdp.silver_order (
            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            bronze_id bigint NOT NULL,
            batch_id bigint NOT NULL,
            line bigint NOT NULL,
            record_offset bigint,
            record_length bigint,
            source text NOT NULL,
            source_key text NOT NULL,
            content_hash bigint NOT NULL,
            is_current bigint NOT NULL,
            superseded_by bigint,
            customer_id text,
            order_date text,
            amount double precision,
            currency text,
            status text
        )
        """,
        "CREATE INDEX silver_order_current ON cdp.silver_order(source, source_key) WHERE is_current = 1",
        "CREATE INDEX silver_order_by_customer ON cdp.silver_order(customer_id) WHERE is_current = 1",
        """
        CREATE TABLE cdp.silver_campaign (
            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            bronze_id bigint NOT NULL,
            batch_id bigint NOT NULL,
            line bigint NOT NULL,
            record_offset bigint,
            record_length bigint,
            source text NOT NULL,
            source_key text NOT NULL,
            content_hash bigint NOT NULL,
            is_current bigint NOT NULL,
            superseded_by bigint,
            name text,
            channel text,
            start_date text,
            end_date text,
            budget double precision,
            currency text
        )
        """,
        "CREATE INDEX silver_campaign_current ON cdp.silver_campaign(source, source_key) WHERE is_current = 1",
        """
        CREATE TABLE cdp.silver_event (
            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            bronze_id bigint NOT NULL,
            batch_id bigint NOT NULL,
            line bigint NOT NULL,
            record_offset bigint,
            record_length bigint,
            source text NOT NULL,
            source_key text NOT NULL,
            content_hash bigint NOT NULL,
            is_current bigint NOT NULL,
            superseded_by bigint,
            contact_id text,
            campaign_id text,
            event_type text,
            occurred_at text,
            revenue double precision
        )
        """,
        "CREATE INDEX silver_event_current ON cdp.silver_event(source, source_key) WHERE is_current = 1",
        "CREATE INDEX silver_event_by_contact ON cdp.silver_event(contact_id) WHERE is_current = 1",
        """
        CREATE TABLE cdp.row_warning (
            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            bronze_id bigint NOT NULL,
            batch_id bigint NOT NULL,
            source text NOT NULL,
            rule text NOT NULL,
            field text,
            value text,
            message text NOT NULL
        )
        """,
        "CREATE INDEX row_warning_by_batch ON cdp.row_warning(batch_id)",
        "CREATE INDEX row_warning_by_source ON cdp.row_warning(source)",
        """
        CREATE TABLE cdp.rule_result (
            run_id bigint NOT NULL,
            batch_id bigint NOT NULL,
            source text NOT NULL,
            rule text NOT NULL,
            severity text NOT NULL,
            evaluated bigint NOT NULL,
            failed bigint NOT NULL,
            PRIMARY KEY (batch_id, rule)
        )
        """,
        """
        CREATE TABLE cdp.dq_scorecard (
            run_id bigint NOT NULL,
            source text NOT NULL,
            rule text NOT NULL,
            severity text NOT NULL,
            evaluated bigint NOT NULL,
            failed bigint NOT NULL,
            pass_rate double precision NOT NULL,
            PRIMARY KEY (run_id, source, rule)
        )
        """,
        """
        CREATE TABLE cdp.quarantine_record (
            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            bronze_id bigint NOT NULL UNIQUE,
            batch_id bigint NOT NULL,
            run_id bigint,
            source text NOT NULL,
            entity text NOT NULL,
            source_key text NOT NULL,
            line bigint NOT NULL,
            record_offset bigint,
            record_length bigint,
            content_hash bigint NOT NULL,
            status text NOT NULL,
            fields text NOT NULL,
            failures text NOT NULL,
            rules text NOT NULL,
            created_at text NOT NULL,
            updated_at text NOT NULL,
            resolution text
        )
        """,
        "CREATE INDEX quarantine_by_status ON cdp.quarantine_record(status, source)",
        "CREATE INDEX quarantine_by_batch ON cdp.quarantine_record(batch_id)",
        "CREATE INDEX quarantine_by_status_id ON cdp.quarantine_record(status, id)",
        "CREATE INDEX quarantine_by_source_status ON cdp.quarantine_record(source, status)",
        "CREATE INDEX quarantine_by_key ON cdp.quarantine_record(source, source_key)",
        """
        CREATE TABLE cdp.quarantine_history (
            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            quarantine_id bigint NOT NULL REFERENCES cdp.quarantine_record(id),
            at text NOT NULL,
            actor text NOT NULL,
            action text NOT NULL,
            detail text NOT NULL
        )
        """,
        "CREATE INDEX quarantine_history_by_record ON cdp.quarantine_history(quarantine_id, id)",
        """
        CREATE TABLE cdp.match_run (
            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            started_at text NOT NULL,
            finished_at text,
            actor text NOT NULL,
            statistics text,
            model text
        )
        """,
        """
        CREATE TABLE cdp.match_candidate (
            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            run_id bigint NOT NULL REFERENCES cdp.match_run(id),
            record_a text NOT NULL,
            record_b text NOT NULL,
            probability double precision NOT NULL,
            match_key text NOT NULL,
            explanation text NOT NULL,
            status text NOT NULL DEFAULT 'open',
            decided_by text,
            decided_at text,
            UNIQUE (record_a, record_b)
        )
        """,
        "CREATE INDEX match_candidate_by_status ON cdp.match_candidate(status, probability)",
        "CREATE INDEX match_candidate_by_record_b ON cdp.match_candidate(record_b)",
        """
        CREATE TABLE cdp.pair_decision (
            record_a text NOT NULL,
            record_b text NOT NULL,
            decision text NOT NULL,
            reason text,
            decided_by text NOT NULL,
            decided_at text NOT NULL,
            PRIMARY KEY (record_a, record_b)
        )
        """,
        """
        CREATE TABLE cdp.golden_record (
            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            attributes text NOT NULL,
            member_count bigint NOT NULL,
            created_run bigint NOT NULL,
            updated_run bigint NOT NULL,
            retired_run bigint
        )
        """,
        """
        CREATE TABLE cdp.golden_xref (
            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            source text NOT NULL,
            source_key text NOT NULL,
            golden_id bigint NOT NULL,
            valid_from_run bigint NOT NULL,
            valid_to_run bigint
        )
        """,
        "CREATE UNIQUE INDEX golden_xref_current ON cdp.golden_xref(source, source_key) WHERE valid_to_run IS NULL",
        "CREATE INDEX golden_xref_by_golden ON cdp.golden_xref(golden_id, valid_to_run)",
        """
        CREATE TABLE cdp.golden_override (
            golden_id bigint NOT NULL,
            attribute text NOT NULL,
            value text NOT NULL,
            set_by text NOT NULL,
            set_at text NOT NULL,
            PRIMARY KEY (golden_id, attribute)
        )
        """,
        """
        CREATE TABLE cdp.customer_360 (
            golden_id bigint PRIMARY KEY,
            first_name text, last_name text, email text, phone text, birth_date text,
            street text, city text, postcode text, country text,
            email_opt_in bigint, sms_opt_in bigint,
            source_count bigint NOT NULL, sources text NOT NULL,
            first_seen text, last_seen text,
            orders bigint NOT NULL, lifetime_value double precision NOT NULL, last_order text,
            campaigns_reached bigint NOT NULL, sent bigint NOT NULL, opens bigint NOT NULL,
            clicks bigint NOT NULL, conversions bigint NOT NULL, conversion_revenue double precision NOT NULL,
            unsubscribes bigint NOT NULL, last_engagement text,
            open_quality_issues bigint NOT NULL,
            built_run bigint
        )
        """,
        "CREATE INDEX customer_360_by_value ON cdp.customer_360(lifetime_value DESC)",
        """
        CREATE TABLE cdp.customer_search (
            key text NOT NULL,
            golden_id bigint NOT NULL,
            PRIMARY KEY (key, golden_id)
        )
        """,
        """
        CREATE TABLE cdp.customer_name_variant (
            variant text NOT NULL,
            name text NOT NULL,
            PRIMARY KEY (variant, name)
        )
        """,
        """
        CREATE TABLE cdp.campaign_performance (
            campaign_id text PRIMARY KEY,
            name text, channel text, start_date text, end_date text, budget double precision, currency text,
            sent bigint NOT NULL, unique_reached bigint NOT NULL, opens bigint NOT NULL,
            clicks bigint NOT NULL, conversions bigint NOT NULL, unsubscribes bigint NOT NULL,
            open_rate double precision, click_rate double precision, conversion_rate double precision,
            revenue double precision NOT NULL, cost_per_conversion double precision
        )
        """,
        """
        CREATE TABLE cdp.engagement_daily (
            channel text NOT NULL,
            day text NOT NULL,
            sent bigint NOT NULL, opens bigint NOT NULL, clicks bigint NOT NULL,
            conversions bigint NOT NULL, unsubscribes bigint NOT NULL, revenue double precision NOT NULL,
            PRIMARY KEY (channel, day)
        )
        """,
        """
        CREATE TABLE cdp.dictionary_entry (
            layer text NOT NULL,
            dataset text NOT NULL,
            column_name text NOT NULL,
            description text NOT NULL,
            data_type text NOT NULL,
            classification text,
            tags text NOT NULL,
            owner text,
            steward text,
            allowed_values text NOT NULL,
            format text,
            rules text NOT NULL,
            example text,
            lineage text NOT NULL,
            version bigint NOT NULL,
            updated_by text NOT NULL,
            updated_at text NOT NULL,
            change text NOT NULL,
            PRIMARY KEY (layer, dataset, column_name)
        )
        """,
        """
        CREATE TABLE cdp.dictionary_version (
            layer text NOT NULL,
            dataset text NOT NULL,
            column_name text NOT NULL,
            version bigint NOT NULL,
            changed_by text NOT NULL,
            changed_at text NOT NULL,
            change text NOT NULL,
            entry text NOT NULL,
            PRIMARY KEY (layer, dataset, column_name, version)
        )
        """,
        "CREATE INDEX dictionary_version_by_time ON cdp.dictionary_version(changed_at, layer, dataset, column_name)",
        """
        CREATE VIEW cdp.data_quality_scorecard AS
            SELECT s.run_id, r.started_at AS run_started_at, s.source, s.rule, s.severity, s.evaluated, s.failed, s.pass_rate
            FROM cdp.dq_scorecard s JOIN cdp.workflow_run r ON r.id = s.run_id
        """,
        """
        CREATE VIEW cdp.match_summary AS
            SELECT m.id AS match_run, m.started_at, m.finished_at,
                (m.statistics::jsonb ->> 'records')::bigint AS records,
                (m.statistics::jsonb ->> 'autoMergePairs')::bigint AS auto_merged_pairs,
                (SELECT count(*) FROM cdp.match_candidate c WHERE c.run_id = m.id) AS queued,
                (SELECT count(*) FROM cdp.match_candidate c WHERE c.run_id = m.id AND c.status <> 'open') AS decided,
                (m.statistics::jsonb ->> 'clusters')::bigint AS golden_records,
                (m.statistics::jsonb ->> 'largestCluster')::bigint AS largest_cluster
            FROM cdp.match_run m
        """,
        // Bronze is the landed files, which stay on the workspace's disk: the view gives each row's lineage (the
        // embedded lake's `raw` column reads the landed file and has no counterpart on the server).
        """
        CREATE VIEW cdp.bronze_row AS
            SELECT bronze_id AS id, batch_id, source, line, source_key, content_hash, record_offset, record_length,
                'silver_customer' AS landed_in FROM cdp.silver_customer
            UNION ALL SELECT bronze_id, batch_id, source, line, source_key, content_hash, record_offset, record_length,
                'silver_order' FROM cdp.silver_order
            UNION ALL SELECT bronze_id, batch_id, source, line, source_key, content_hash, record_offset, record_length,
                'silver_campaign' FROM cdp.silver_campaign
            UNION ALL SELECT bronze_id, batch_id, source, line, source_key, content_hash, record_offset, record_length,
                'silver_event' FROM cdp.silver_event
            UNION ALL SELECT bronze_id, batch_id, source, line, source_key, content_hash, record_offset, record_length,
                'quarantine_record' FROM cdp.quarantine_record WHERE status <> 'released'
        """,
        """
        CREATE TABLE cdp.access_policy_version (
            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            recorded_at text NOT NULL,
            recorded_by text NOT NULL,
            event text NOT NULL,
            sha256 text NOT NULL,
            text text NOT NULL
        )
        """,
    ]

    static func quoted(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
