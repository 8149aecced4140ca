// The lake's schema, frozen: the SQL each migration ran when it shipped, written out in full. Nothing here is
// derived from live types (`CanonicalEntity.fields`): a field added to an entity must come with a migration of
// its own, or the lake would no longer match what older releases built. Never edit a shipped migration; append.

extension LakeSchema {
    /// Every migration, oldest first: its identifier (as recorded in `grdb_migrations`) and its SQL.
    static let migrations: [(identifier: String, sql: String)] = [
        (
            "v1-runs",
            #"""
            CREATE TABLE workflow_run (
                id INTEGER PRIMARY KEY,
                workflow TEXT NOT NULL,
                state TEXT NOT NULL,
                actor TEXT NOT NULL,
                trigger TEXT NOT NULL,
                pid INTEGER,
                started_at TEXT NOT NULL,
                finished_at TEXT,
                error TEXT
            );
            CREATE TABLE task_run (
                run_id INTEGER NOT NULL REFERENCES workflow_run(id),
                task_key TEXT NOT NULL,
                position INTEGER NOT NULL,
                step TEXT NOT NULL,
                depends_on TEXT NOT NULL,
                state TEXT NOT NULL,
                attempt INTEGER NOT NULL DEFAULT 0,
                started_at TEXT,
                finished_at TEXT,
                duration_ms INTEGER,
                processed INTEGER NOT NULL DEFAULT 0,
                total INTEGER,
                counts TEXT,
                error TEXT,
                PRIMARY KEY (run_id, task_key)
            );
            CREATE TABLE run_event (
                id INTEGER PRIMARY KEY,
                run_id INTEGER NOT NULL REFERENCES workflow_run(id),
                task_key TEXT,
                at TEXT NOT NULL,
                kind TEXT NOT NULL,
                processed INTEGER,
                total INTEGER,
                message TEXT
            );
            CREATE INDEX run_event_by_run ON run_event(run_id, id);
            """#
        ),
        // Indexes cost every ingested row a B-tree insert, so bronze and silver keep only those that queries
        // need: rows by batch (bronze), a row by its bronze row (silver, for conservation) and current rows by
        // key (silver). Discarding a half-written batch scans silver, which only happens after a killed run.
        (
            "v1-bronze",
            #"""
            CREATE TABLE batch (
                id INTEGER PRIMARY KEY,
                source TEXT NOT NULL,
                file_name TEXT NOT NULL,
                landed_path TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                bytes INTEGER NOT NULL,
                landed_at TEXT NOT NULL,
                run_id INTEGER,
                state TEXT NOT NULL,
                rows_read INTEGER NOT NULL DEFAULT 0,
                rows_unchanged INTEGER NOT NULL DEFAULT 0,
                rows_silver INTEGER NOT NULL DEFAULT 0,
                rows_quarantined INTEGER NOT NULL DEFAULT 0,
                rows_warned INTEGER NOT NULL DEFAULT 0,
                error TEXT,
                UNIQUE (source, sha256)
            );
            CREATE TABLE bronze_row (
                id INTEGER PRIMARY KEY,
                batch_id INTEGER NOT NULL REFERENCES batch(id),
                source TEXT NOT NULL,
                line INTEGER NOT NULL,
                source_key TEXT NOT NULL,
                content_hash INTEGER NOT NULL,
                raw TEXT NOT NULL
            );
            CREATE INDEX bronze_row_by_batch ON bronze_row(batch_id);
            """#
        ),
        // One table per canonical entity, a column per field as the entities had them when this shipped.
        (
            "v1-silver",
            #"""
            CREATE TABLE silver_customer (
                id INTEGER PRIMARY KEY,
                bronze_id INTEGER NOT NULL UNIQUE REFERENCES bronze_row(id),
                batch_id INTEGER NOT NULL,
                source TEXT NOT NULL,
                source_key TEXT NOT NULL,
                content_hash INTEGER NOT NULL,
                is_current INTEGER NOT NULL,
                superseded_by INTEGER,
                first_name TEXT,
                last_name TEXT,
                full_name TEXT,
                email TEXT,
                phone TEXT,
                birth_date TEXT,
                street TEXT,
                city TEXT,
                postcode TEXT,
                country TEXT,
                created_at TEXT,
                updated_at TEXT,
                loyalty_tier TEXT,
                email_opt_in INTEGER,
                sms_opt_in INTEGER,
                crm_customer_id TEXT,
                signup_source TEXT
            );
            CREATE INDEX silver_customer_current ON silver_customer(source, source_key)
                WHERE is_current = 1;
            CREATE TABLE silver_order (
                id INTEGER PRIMARY KEY,
                bronze_id INTEGER NOT NULL UNIQUE REFERENCES bronze_row(id),
                batch_id INTEGER NOT NULL,
                source TEXT NOT NULL,
                source_key TEXT NOT NULL,
                content_hash INTEGER NOT NULL,
                is_current INTEGER NOT NULL,
                superseded_by INTEGER,
                customer_id TEXT,
                order_date TEXT,
                amount REAL,
                currency TEXT,
                status TEXT
            );
            CREATE INDEX silver_order_current ON silver_order(source, source_key)
                WHERE is_current = 1;
            CREATE TABLE silver_campaign (
                id INTEGER PRIMARY KEY,
                bronze_id INTEGER NOT NULL UNIQUE REFERENCES bronze_row(id),
                batch_id INTEGER NOT NULL,
                source TEXT NOT NULL,
                source_key TEXT NOT NULL,
                content_hash INTEGER NOT NULL,
                is_current INTEGER NOT NULL,
                superseded_by INTEGER,
                name TEXT,
                channel TEXT,
                start_date TEXT,
                end_date TEXT,
                budget REAL,
                currency TEXT
            );
            CREATE INDEX silver_campaign_current ON silver_campaign(source, source_key)
                WHERE is_current = 1;
            CREATE TABLE silver_event (
                id INTEGER PRIMARY KEY,
                bronze_id INTEGER NOT NULL UNIQUE REFERENCES bronze_row(id),
                batch_id INTEGER NOT NULL,
                source TEXT NOT NULL,
                source_key TEXT NOT NULL,
                content_hash INTEGER NOT NULL,
                is_current INTEGER NOT NULL,
                superseded_by INTEGER,
                contact_id TEXT,
                campaign_id TEXT,
                event_type TEXT,
                occurred_at TEXT,
                revenue REAL
            );
            CREATE INDEX silver_event_current ON silver_event(source, source_key)
                WHERE is_current = 1;
            CREATE TABLE row_warning (
                id INTEGER PRIMARY KEY,
                bronze_id INTEGER NOT NULL REFERENCES bronze_row(id),
                batch_id INTEGER NOT NULL,
                source TEXT NOT NULL,
                rule TEXT NOT NULL,
                field TEXT,
                value TEXT,
                message TEXT NOT NULL
            );
            CREATE INDEX row_warning_by_batch ON row_warning(batch_id);
            CREATE TABLE rule_result (
                run_id INTEGER NOT NULL,
                batch_id INTEGER NOT NULL,
                source TEXT NOT NULL,
                rule TEXT NOT NULL,
                severity TEXT NOT NULL,
                evaluated INTEGER NOT NULL,
                failed INTEGER NOT NULL,
                PRIMARY KEY (batch_id, rule)
            );
            CREATE TABLE dq_scorecard (
                run_id INTEGER NOT NULL,
                source TEXT NOT NULL,
                rule TEXT NOT NULL,
                severity TEXT NOT NULL,
                evaluated INTEGER NOT NULL,
                failed INTEGER NOT NULL,
                pass_rate REAL NOT NULL,
                PRIMARY KEY (run_id, source, rule)
            );
            """#
        ),
        (
            "v1-quarantine",
            #"""
            CREATE TABLE quarantine_record (
                id INTEGER PRIMARY KEY,
                bronze_id INTEGER NOT NULL UNIQUE REFERENCES bronze_row(id),
                batch_id INTEGER NOT NULL,
                run_id INTEGER,
                source TEXT NOT NULL,
                entity TEXT NOT NULL,
                source_key TEXT NOT NULL,
                line INTEGER NOT NULL,
                status TEXT NOT NULL,
                fields TEXT NOT NULL,
                failures TEXT NOT NULL,
                rules TEXT NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                resolution TEXT
            );
            CREATE INDEX quarantine_by_status ON quarantine_record(status, source);
            CREATE INDEX quarantine_by_batch ON quarantine_record(batch_id);
            CREATE TABLE quarantine_history (
                id INTEGER PRIMARY KEY,
                quarantine_id INTEGER NOT NULL REFERENCES quarantine_record(id),
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                detail TEXT NOT NULL
            );
            CREATE INDEX quarantine_history_by_record ON quarantine_history(quarantine_id, id);
            CREATE TABLE audit_log (
                id INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                target TEXT NOT NULL,
                before TEXT,
                after TEXT,
                reason TEXT,
                previous_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            );
            CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
            CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
            """#
        ),
        // The steward console's reads: quarantine ids in id order per status (keyset and id lists
        // without a sort), counts per source and status for the dashboard without touching the rows.
        (
            "v2-console-indexes",
            #"""
            CREATE INDEX quarantine_by_status_id ON quarantine_record(status, id);
            CREATE INDEX quarantine_by_source_status ON quarantine_record(source, status);
            CREATE INDEX batch_by_source ON batch(source);
            CREATE INDEX row_warning_by_source ON row_warning(source);
            """#
        ),
        (
            "v2-matching",
            #"""
            CREATE TABLE match_run (
                id INTEGER PRIMARY KEY,
                started_at TEXT NOT NULL,
                finished_at TEXT,
                actor TEXT NOT NULL,
                statistics TEXT,
                model TEXT
            );
            CREATE TABLE match_candidate (
                id INTEGER PRIMARY KEY,
                run_id INTEGER NOT NULL REFERENCES match_run(id),
                record_a TEXT NOT NULL,
                record_b TEXT NOT NULL,
                probability REAL NOT NULL,
                match_key TEXT NOT NULL,
                explanation TEXT NOT NULL,
                status TEXT NOT NULL DEFAULT 'open',
                decided_by TEXT,
                decided_at TEXT,
                UNIQUE (record_a, record_b)
            );
            CREATE INDEX match_candidate_by_status ON match_candidate(status, probability);
            CREATE TABLE pair_decision (
                record_a TEXT NOT NULL,
                record_b TEXT NOT NULL,
                decision TEXT NOT NULL,
                reason TEXT,
                decided_by TEXT NOT NULL,
                decided_at TEXT NOT NULL,
                PRIMARY KEY (record_a, record_b)
            );
            CREATE TABLE golden_record (
                id INTEGER PRIMARY KEY,
                attributes TEXT NOT NULL,
                member_count INTEGER NOT NULL,
                created_run INTEGER NOT NULL,
                updated_run INTEGER NOT NULL,
                retired_run INTEGER
            );
            CREATE TABLE golden_xref (
                id INTEGER PRIMARY KEY,
                source TEXT NOT NULL,
                source_key TEXT NOT NULL,
                golden_id INTEGER NOT NULL,
                valid_from_run INTEGER NOT NULL,
                valid_to_run INTEGER
            );
            CREATE UNIQUE INDEX golden_xref_current ON golden_xref(source, source_key) WHERE valid_to_run IS NULL;
            CREATE INDEX golden_xref_by_golden ON golden_xref(golden_id, valid_to_run);
            CREATE TABLE golden_override (
                golden_id INTEGER NOT NULL,
                attribute TEXT NOT NULL,
                value TEXT NOT NULL,
                set_by TEXT NOT NULL,
                set_at TEXT NOT NULL,
                PRIMARY KEY (golden_id, attribute)
            );
            """#
        ),
        // The gold layer: rebuilt whole by the pipeline's `gold` step, read by the console and `cdp query`.
        (
            "v3-gold",
            #"""
            CREATE TABLE customer_360 (
                golden_id INTEGER PRIMARY KEY,
                first_name TEXT, last_name TEXT, email TEXT, phone TEXT, birth_date TEXT,
                street TEXT, city TEXT, postcode TEXT, country TEXT,
                email_opt_in INTEGER, sms_opt_in INTEGER,
                source_count INTEGER NOT NULL, sources TEXT NOT NULL,
                first_seen TEXT, last_seen TEXT,
                orders INTEGER NOT NULL, lifetime_value REAL NOT NULL, last_order TEXT,
                campaigns_reached INTEGER NOT NULL, sent INTEGER NOT NULL, opens INTEGER NOT NULL,
                clicks INTEGER NOT NULL, conversions INTEGER NOT NULL, conversion_revenue REAL NOT NULL,
                unsubscribes INTEGER NOT NULL, last_engagement TEXT,
                open_quality_issues INTEGER NOT NULL,
                built_run INTEGER
            );
            CREATE TABLE customer_search (
                key TEXT NOT NULL,
                golden_id INTEGER NOT NULL,
                PRIMARY KEY (key, golden_id)
            ) WITHOUT ROWID;
            CREATE TABLE customer_name_variant (
                variant TEXT NOT NULL,
                name TEXT NOT NULL,
                PRIMARY KEY (variant, name)
            ) WITHOUT ROWID;
            CREATE TABLE campaign_performance (
                campaign_id TEXT PRIMARY KEY,
                name TEXT, channel TEXT, start_date TEXT, end_date TEXT, budget REAL, currency TEXT,
                sent INTEGER NOT NULL, unique_reached INTEGER NOT NULL, opens INTEGER NOT NULL,
                clicks INTEGER NOT NULL, conversions INTEGER NOT NULL, unsubscribes INTEGER NOT NULL,
                open_rate REAL, click_rate REAL, conversion_rate REAL,
                revenue REAL NOT NULL, cost_per_conversion REAL
            );
            CREATE TABLE engagement_daily (
                channel TEXT NOT NULL,
                day TEXT NOT NULL,
                sent INTEGER NOT NULL, opens INTEGER NOT NULL, clicks INTEGER NOT NULL,
                conversions INTEGER NOT NULL, unsubscribes INTEGER NOT NULL, revenue REAL NOT NULL,
                PRIMARY KEY (channel, day)
            );
            CREATE INDEX customer_360_by_value ON customer_360(lifetime_value DESC);
            CREATE INDEX match_candidate_by_record_b ON match_candidate(record_b);
            CREATE INDEX silver_event_by_contact ON silver_event(contact_id) WHERE is_current = 1;
            CREATE INDEX silver_order_by_customer ON silver_order(customer_id) WHERE is_current = 1;
            CREATE INDEX quarantine_by_key ON quarantine_record(source, source_key);
            CREATE VIEW data_quality_scorecard AS
                SELECT s.run_id, r.started_at AS run_started_at, s.source, s.rule, s.severity, s.evaluated, s.failed, s.pass_rate
                FROM dq_scorecard s JOIN workflow_run r ON r.id = s.run_id;
            CREATE VIEW match_summary AS
                SELECT m.id AS match_run, m.started_at, m.finished_at,
                    json_extract(m.statistics, '$.records') AS records,
                    json_extract(m.statistics, '$.autoMergePairs') AS auto_merged_pairs,
                    (SELECT COUNT(*) FROM match_candidate c WHERE c.run_id = m.id) AS queued,
                    (SELECT COUNT(*) FROM match_candidate c WHERE c.run_id = m.id AND c.status != 'open') AS decided,
                    json_extract(m.statistics, '$.clusters') AS golden_records,
                    json_extract(m.statistics, '$.largestCluster') AS largest_cluster
                FROM match_run m;
            """#
        ),
        // The data dictionary: the current entry per (layer, dataset, column), queryable column by column,
        // and every version kept whole as JSON with who made it, when and what it changed.
        (
            "v4-dictionary",
            #"""
            CREATE TABLE dictionary_entry (
                layer TEXT NOT NULL,
                dataset TEXT NOT NULL,
                column_name TEXT NOT NULL,
                description TEXT NOT NULL,
                data_type TEXT NOT NULL,
                classification TEXT,
                tags TEXT NOT NULL,
                owner TEXT,
                steward TEXT,
                allowed_values TEXT NOT NULL,
                format TEXT,
                rules TEXT NOT NULL,
                example TEXT,
                lineage TEXT NOT NULL,
                version INTEGER NOT NULL,
                updated_by TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                change TEXT NOT NULL,
                PRIMARY KEY (layer, dataset, column_name)
            );
            CREATE TABLE dictionary_version (
                layer TEXT NOT NULL,
                dataset TEXT NOT NULL,
                column_name TEXT NOT NULL,
                version INTEGER NOT NULL,
                changed_by TEXT NOT NULL,
                changed_at TEXT NOT NULL,
                change TEXT NOT NULL,
                entry TEXT NOT NULL,
                PRIMARY KEY (layer, dataset, column_name, version)
            );
            CREATE INDEX dictionary_version_by_time ON dictionary_version(changed_at, layer, dataset, column_name);
            """#
        ),
        // Bronze is the landed files themselves: a row's lineage (batch, line, where its record lies in the
        // landed file) is kept on the silver or quarantine row it became, and `bronze_row` is a view over them.
        // Ingestion then writes each row once instead of twice (the raw text again, an index by batch, a
        // unique index and a foreign key), and the lake no longer holds every landed byte a second time.
        // Rows landed before keep their raw text in bronze_row_v1, so nothing already ingested loses it.
        (
            "v5-bronze-in-landed-files",
            #"""
            CREATE TABLE silver_customer_v5 (
                id INTEGER PRIMARY KEY,
                bronze_id INTEGER NOT NULL,
                batch_id INTEGER NOT NULL,
                line INTEGER NOT NULL,
                record_offset INTEGER,
                record_length INTEGER,
                source TEXT NOT NULL,
                source_key TEXT NOT NULL,
                content_hash INTEGER NOT NULL,
                is_current INTEGER NOT NULL,
                superseded_by INTEGER,
                first_name TEXT,
                last_name TEXT,
                full_name TEXT,
                email TEXT,
                phone TEXT,
                birth_date TEXT,
                street TEXT,
                city TEXT,
                postcode TEXT,
                country TEXT,
                created_at TEXT,
                updated_at TEXT,
                loyalty_tier TEXT,
                email_opt_in INTEGER,
                sms_opt_in INTEGER,
                crm_customer_id TEXT,
                signup_source TEXT
            );
            INSERT INTO silver_customer_v5 (id, bronze_id, batch_id, line, source, source_key, content_hash, is_current, superseded_by, first_name, last_name, full_name, email, phone, birth_date, street, city, postcode, country, created_at, updated_at, loyalty_tier, email_opt_in, sms_opt_in, crm_customer_id, signup_source)
                SELECT s.id, s.bronze_id, s.batch_id, COALESCE(b.line, 0), s.source, s.source_key, s.content_hash, s.is_current, s.superseded_by, s.first_name, s.last_name, s.full_name, s.email, s.phone, s.birth_date, s.street, s.city, s.postcode, s.country, s.created_at, s.updated_at, s.loyalty_tier, s.email_opt_in, s.sms_opt_in, s.crm_customer_id, s.signup_source
                FROM silver_customer s LEFT JOIN bronze_row b ON b.id = s.bronze_id;
            DROP TABLE silver_customer;
            ALTER TABLE silver_customer_v5 RENAME TO silver_customer;
            CREATE INDEX silver_customer_current ON silver_customer(source, source_key) WHERE is_current = 1;
            CREATE TABLE silver_order_v5 (
                id INTEGER PRIMARY KEY,
                bronze_id INTEGER NOT NULL,
                batch_id INTEGER NOT NULL,
                line INTEGER NOT NULL,
                record_offset INTEGER,
                record_length INTEGER,
                source TEXT NOT NULL,
                source_key TEXT NOT NULL,
                content_hash INTEGER NOT NULL,
                is_current INTEGER NOT NULL,
                superseded_by INTEGER,
                customer_id TEXT,
                order_date TEXT,
                amount REAL,
                currency TEXT,
                status TEXT
            );
            INSERT INTO silver_order_v5 (id, bronze_id, batch_id, line, source, source_key, content_hash, is_current, superseded_by, customer_id, order_date, amount, currency, status)
                SELECT s.id, s.bronze_id, s.batch_id, COALESCE(b.line, 0), s.source, s.source_key, s.content_hash, s.is_current, s.superseded_by, s.customer_id, s.order_date, s.amount, s.currency, s.status
                FROM silver_order s LEFT JOIN bronze_row b ON b.id = s.bronze_id;
            DROP TABLE silver_order;
            ALTER TABLE silver_order_v5 RENAME TO silver_order;
            CREATE INDEX silver_order_current ON silver_order(source, source_key) WHERE is_current = 1;
            CREATE TABLE silver_campaign_v5 (
                id INTEGER PRIMARY KEY,
                bronze_id INTEGER NOT NULL,
                batch_id INTEGER NOT NULL,
                line INTEGER NOT NULL,
                record_offset INTEGER,
                record_length INTEGER,
                source TEXT NOT NULL,
                source_key TEXT NOT NULL,
                content_hash INTEGER NOT NULL,
                is_current INTEGER NOT NULL,
                superseded_by INTEGER,
                name TEXT,
                channel TEXT,
                start_date TEXT,
                end_date TEXT,
                budget REAL,
                currency TEXT
            );
            INSERT INTO silver_campaign_v5 (id, bronze_id, batch_id, line, source, source_key, content_hash, is_current, superseded_by, name, channel, start_date, end_date, budget, currency)
                SELECT s.id, s.bronze_id, s.batch_id, COALESCE(b.line, 0), s.source, s.source_key, s.content_hash, s.is_current, s.superseded_by, s.name, s.channel, s.start_date, s.end_date, s.budget, s.currency
                FROM silver_campaign s LEFT JOIN bronze_row b ON b.id = s.bronze_id;
            DROP TABLE silver_campaign;
            ALTER TABLE silver_campaign_v5 RENAME TO silver_campaign;
            CREATE INDEX silver_campaign_current ON silver_campaign(source, source_key) WHERE is_current = 1;
            CREATE TABLE silver_event_v5 (
                id INTEGER PRIMARY KEY,
                bronze_id INTEGER NOT NULL,
                batch_id INTEGER NOT NULL,
                line INTEGER NOT NULL,
                record_offset INTEGER,
                record_length INTEGER,
                source TEXT NOT NULL,
                source_key TEXT NOT NULL,
                content_hash INTEGER NOT NULL,
                is_current INTEGER NOT NULL,
                superseded_by INTEGER,
                contact_id TEXT,
                campaign_id TEXT,
                event_type TEXT,
                occurred_at TEXT,
                revenue REAL
            );
            INSERT INTO silver_event_v5 (id, bronze_id, batch_id, line, source, source_key, content_hash, is_current, superseded_by, contact_id, campaign_id, event_type, occurred_at, revenue)
                SELECT s.id, s.bronze_id, s.batch_id, COALESCE(b.line, 0), s.source, s.source_key, s.content_hash, s.is_current, s.superseded_by, s.contact_id, s.campaign_id, s.event_type, s.occurred_at, s.revenue
                FROM silver_event s LEFT JOIN bronze_row b ON b.id = s.bronze_id;
            DROP TABLE silver_event;
            ALTER TABLE silver_event_v5 RENAME TO silver_event;
            CREATE INDEX silver_event_current ON silver_event(source, source_key) WHERE is_current = 1;
            CREATE INDEX silver_event_by_contact ON silver_event(contact_id) WHERE is_current = 1;
            CREATE INDEX silver_order_by_customer ON silver_order(customer_id) WHERE is_current = 1;
            CREATE TABLE row_warning_v5 (
                id INTEGER PRIMARY KEY,
                bronze_id INTEGER NOT NULL,
                batch_id INTEGER NOT NULL,
                source TEXT NOT NULL,
                rule TEXT NOT NULL,
                field TEXT,
                value TEXT,
                message TEXT NOT NULL
            );
            INSERT INTO row_warning_v5 SELECT id, bronze_id, batch_id, source, rule, field, value, message FROM row_warning;
            DROP TABLE row_warning;
            ALTER TABLE row_warning_v5 RENAME TO row_warning;
            CREATE INDEX row_warning_by_batch ON row_warning(batch_id);
            CREATE INDEX row_warning_by_source ON row_warning(source);
            CREATE TABLE quarantine_record_v5 (
                id INTEGER PRIMARY KEY,
                bronze_id INTEGER NOT NULL UNIQUE,
                batch_id INTEGER NOT NULL,
                run_id INTEGER,
                source TEXT NOT NULL,
                entity TEXT NOT NULL,
                source_key TEXT NOT NULL,
                line INTEGER NOT NULL,
                record_offset INTEGER,
                record_length INTEGER,
                content_hash INTEGER NOT NULL,
                status TEXT NOT NULL,
                fields TEXT NOT NULL,
                failures TEXT NOT NULL,
                rules TEXT NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                resolution TEXT
            );
            INSERT INTO quarantine_record_v5 (id, bronze_id, batch_id, run_id, source, entity, source_key, line,
                    content_hash, status, fields, failures, rules, created_at, updated_at, resolution)
                SELECT q.id, q.bronze_id, q.batch_id, q.run_id, q.source, q.entity, q.source_key, q.line,
                    COALESCE(b.content_hash, 0), q.status, q.fields, q.failures, q.rules, q.created_at, q.updated_at, q.resolution
                FROM quarantine_record q LEFT JOIN bronze_row b ON b.id = q.bronze_id;
            DROP TABLE quarantine_record;
            ALTER TABLE quarantine_record_v5 RENAME TO quarantine_record;
            CREATE INDEX quarantine_by_status ON quarantine_record(status, source);
            CREATE INDEX quarantine_by_batch ON quarantine_record(batch_id);
            CREATE INDEX quarantine_by_status_id ON quarantine_record(status, id);
            CREATE INDEX quarantine_by_source_status ON quarantine_record(source, status);
            CREATE INDEX quarantine_by_key ON quarantine_record(source, source_key);
            CREATE TABLE id_sequence (name TEXT PRIMARY KEY, next_id INTEGER NOT NULL);
            INSERT INTO id_sequence (name, next_id) SELECT 'bronze_row', COALESCE(MAX(id), 0) + 1 FROM bronze_row;
            ALTER TABLE bronze_row RENAME TO bronze_row_v1;
            DROP INDEX bronze_row_by_batch;
            CREATE VIEW bronze_row AS
            SELECT bronze_id AS id, batch_id, source, line, source_key, content_hash, record_offset, record_length, 'silver_customer' AS landed_in, COALESCE(landed_text((SELECT landed_path FROM batch WHERE batch.id = batch_id), record_offset, record_length),
                (SELECT raw FROM bronze_row_v1 WHERE bronze_row_v1.id = bronze_id)) AS raw FROM silver_customer
            UNION ALL SELECT bronze_id AS id, batch_id, source, line, source_key, content_hash, record_offset, record_length, 'silver_order' AS landed_in, COALESCE(landed_text((SELECT landed_path FROM batch WHERE batch.id = batch_id), record_offset, record_length),
                (SELECT raw FROM bronze_row_v1 WHERE bronze_row_v1.id = bronze_id)) AS raw FROM silver_order
            UNION ALL SELECT bronze_id AS id, batch_id, source, line, source_key, content_hash, record_offset, record_length, 'silver_campaign' AS landed_in, COALESCE(landed_text((SELECT landed_path FROM batch WHERE batch.id = batch_id), record_offset, record_length),
                (SELECT raw FROM bronze_row_v1 WHERE bronze_row_v1.id = bronze_id)) AS raw FROM silver_campaign
            UNION ALL SELECT bronze_id AS id, batch_id, source, line, source_key, content_hash, record_offset, record_length, 'silver_event' AS landed_in, COALESCE(landed_text((SELECT landed_path FROM batch WHERE batch.id = batch_id), record_offset, record_length),
                (SELECT raw FROM bronze_row_v1 WHERE bronze_row_v1.id = bronze_id)) AS raw FROM silver_event
            UNION ALL SELECT bronze_id AS id, batch_id, source, line, source_key, content_hash, record_offset, record_length, 'quarantine_record' AS landed_in, COALESCE(landed_text((SELECT landed_path FROM batch WHERE batch.id = batch_id), record_offset, record_length),
                (SELECT raw FROM bronze_row_v1 WHERE bronze_row_v1.id = bronze_id)) AS raw FROM quarantine_record WHERE status != 'released';
            """#
        ),
        // The audit chain: from here on rows hash NULL distinctly from the text '∅' (hashing v2); rows written
        // before keep v1 and still verify. Each finished run also records the chain's length and head.
        (
            "v6-audit-anchors",
            #"""
            CREATE TABLE audit_hashing (
                version INTEGER PRIMARY KEY,
                first_id INTEGER NOT NULL
            );
            INSERT INTO audit_hashing (version, first_id) SELECT 2, COALESCE(MAX(id), 0) + 1 FROM audit_log;
            CREATE TRIGGER audit_hashing_no_update BEFORE UPDATE ON audit_hashing
                BEGIN SELECT RAISE(ABORT, 'audit_hashing is append-only'); END;
            CREATE TRIGGER audit_hashing_no_delete BEFORE DELETE ON audit_hashing
                BEGIN SELECT RAISE(ABORT, 'audit_hashing is append-only'); END;
            ALTER TABLE workflow_run ADD COLUMN audit_rows INTEGER;
            ALTER TABLE workflow_run ADD COLUMN audit_head TEXT;
            """#
        ),
        // Every version of governance/access.toml the lake has seen: its SHA-256 and text, so a change is
        // noticed, audited with its diff, and a removed file is told from one that never existed.
        (
            "v6-access-policy",
            #"""
            CREATE TABLE access_policy_version (
                id INTEGER PRIMARY KEY,
                recorded_at TEXT NOT NULL,
                recorded_by TEXT NOT NULL,
                event TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                text TEXT NOT NULL
            );
            CREATE TRIGGER access_policy_version_no_update BEFORE UPDATE ON access_policy_version
                BEGIN SELECT RAISE(ABORT, 'access_policy_version is append-only'); END;
            CREATE TRIGGER access_policy_version_no_delete BEFORE DELETE ON access_policy_version
                BEGIN SELECT RAISE(ABORT, 'access_policy_version is append-only'); END;
            """#
        ),
        // How far lake/audit.anchor must reach: the last row anchored, written in the transaction that appends
        // it, so a removed, emptied or shortened anchor file is told from one that was never written.
        (
            "v7-audit-anchor-state",
            #"""
            CREATE TABLE audit_anchor_state (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                anchored_rows INTEGER NOT NULL
            );
            """#
        ),
        // The job parameters a run was started with (a JSON object of text values, NULL when the workflow has
        // none), so that repairing it reruns its tasks with the same values.
        (
            "v8-run-parameters",
            #"""
            ALTER TABLE workflow_run ADD COLUMN parameters TEXT;
            """#
        ),
        // What a customer source knows beyond the canonical model ([sources.attributes]: an ID number, a street
        // number, a second address line): one JSON object of text members per row, NULL when it has none.
        (
            "v9-customer-attributes",
            #"""
            ALTER TABLE silver_customer ADD COLUMN attributes TEXT;
            """#
        ),
        // Who is on which quarantined record and candidate pair: a steward's claim (lapses at expires_at) or an
        // assignment (expires_at NULL). One hold per item; its changes are audited as work.* rows.
        (
            "v10-work-claims",
            #"""
            CREATE TABLE work_claim (
                item_kind TEXT NOT NULL,
                item_id INTEGER NOT NULL,
                owner TEXT NOT NULL,
                hold TEXT NOT NULL,
                held_by TEXT NOT NULL,
                since TEXT NOT NULL,
                expires_at TEXT,
                PRIMARY KEY (item_kind, item_id)
            ) WITHOUT ROWID;
            CREATE INDEX work_claim_by_owner ON work_claim (owner, item_kind);
            """#
        ),
        // A decision ends the hold on an item (since a release, rejection, approval or rejection of a pair removes it in
        // its own transaction), but holds taken before that rule stayed on items decided since: a released record still
        // showed as its holder's. This removes them once: the holds taken before the item's decision. A hold taken
        // after it (someone claimed a decided record on purpose) stays. The decision itself is in the audit log.
        (
            "v11-decided-items-end-their-holds",
            #"""
            DELETE FROM work_claim
            WHERE (item_kind = 'quarantine' AND EXISTS (
                    SELECT 1 FROM quarantine_record AS record
                    WHERE record.id = work_claim.item_id AND record.status IN ('released', 'rejected')
                        AND record.updated_at >= work_claim.since))
               OR (item_kind = 'candidate' AND EXISTS (
                    SELECT 1 FROM match_candidate AS pair
                    WHERE pair.id = work_claim.item_id AND pair.status != 'open' AND pair.decided_at >= work_claim.since));
            """#
        ),
        // What changed since the gold layer was last built, so the next build redoes only the golden customers it
        // touches. Silver rows are appended: a build remembers the last id of each silver table (gold_build_mark) and
        // reads the rows after it. What changes in place is noted by triggers: golden records and links (match runs,
        // merges, unmerges, overrides), quarantine (a record held, released, fixed or rejected) and silver rows
        // superseded or taken back. The build empties the notes in its own transaction. The triggers insert only what is
        // not noted yet rather than INSERT OR IGNORE: a trigger's conflict clause gives way to its statement's.
        (
            "v12-gold-changes",
            #"""
            CREATE TABLE gold_build_mark (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                silver_customer INTEGER NOT NULL,
                silver_order INTEGER NOT NULL,
                silver_event INTEGER NOT NULL,
                silver_campaign INTEGER NOT NULL,
                sources TEXT NOT NULL
            );
            CREATE TABLE gold_changed_golden (golden_id INTEGER PRIMARY KEY);
            CREATE TABLE gold_changed_key (
                source TEXT NOT NULL,
                source_key TEXT NOT NULL,
                PRIMARY KEY (source, source_key)
            ) WITHOUT ROWID;
            CREATE TABLE gold_changed_reference (
                entity TEXT NOT NULL,
                reference TEXT NOT NULL,
                PRIMARY KEY (entity, reference)
            ) WITHOUT ROWID;
            CREATE TRIGGER golden_record_inserted_for_gold AFTER INSERT ON golden_record
                BEGIN
                    INSERT INTO gold_changed_golden SELECT NEW.id WHERE NOT EXISTS (SELECT 1 FROM gold_changed_golden WHERE golden_id = NEW.id);
                END;
            CREATE TRIGGER golden_record_updated_for_gold AFTER UPDATE ON golden_record
                BEGIN
                    INSERT INTO gold_changed_golden SELECT OLD.id WHERE NOT EXISTS (SELECT 1 FROM gold_changed_golden WHERE golden_id = OLD.id);
                    INSERT INTO gold_changed_golden SELECT NEW.id WHERE NOT EXISTS (SELECT 1 FROM gold_changed_golden WHERE golden_id = NEW.id);
                END;
            CREATE TRIGGER golden_record_deleted_for_gold AFTER DELETE ON golden_record
                BEGIN
                    INSERT INTO gold_changed_golden SELECT OLD.id WHERE NOT EXISTS (SELECT 1 FROM gold_changed_golden WHERE golden_id = OLD.id);
                END;
            CREATE TRIGGER golden_xref_inserted_for_gold AFTER INSERT ON golden_xref
                BEGIN
                    INSERT INTO gold_changed_golden SELECT NEW.golden_id WHERE NOT EXISTS (SELECT 1 FROM gold_changed_golden WHERE golden_id = NEW.golden_id);
                END;
            CREATE TRIGGER golden_xref_updated_for_gold AFTER UPDATE ON golden_xref
                BEGIN
                    INSERT INTO gold_changed_golden SELECT OLD.golden_id WHERE NOT EXISTS (SELECT 1 FROM gold_changed_golden WHERE golden_id = OLD.golden_id);
                    INSERT INTO gold_changed_golden SELECT NEW.golden_id WHERE NOT EXISTS (SELECT 1 FROM gold_changed_golden WHERE golden_id = NEW.golden_id);
                END;
            CREATE TRIGGER golden_xref_deleted_for_gold AFTER DELETE ON golden_xref
                BEGIN
                    INSERT INTO gold_changed_golden SELECT OLD.golden_id WHERE NOT EXISTS (SELECT 1 FROM gold_changed_golden WHERE golden_id = OLD.golden_id);
                END;
            CREATE TRIGGER quarantine_inserted_for_gold AFTER INSERT ON quarantine_record
                BEGIN
                    INSERT INTO gold_changed_key SELECT NEW.source, NEW.source_key WHERE NOT EXISTS (SELECT 1 FROM gold_changed_key WHERE source = NEW.source AND source_key = NEW.source_key);
                END;
            CREATE TRIGGER quarantine_status_for_gold AFTER UPDATE OF status, source, source_key ON quarantine_record
                BEGIN
                    INSERT INTO gold_changed_key SELECT OLD.source, OLD.source_key WHERE NOT EXISTS (SELECT 1 FROM gold_changed_key WHERE source = OLD.source AND source_key = OLD.source_key);
                    INSERT INTO gold_changed_key SELECT NEW.source, NEW.source_key WHERE NOT EXISTS (SELECT 1 FROM gold_changed_key WHERE source = NEW.source AND source_key = NEW.source_key);
                END;
            CREATE TRIGGER quarantine_deleted_for_gold AFTER DELETE ON quarantine_record
                BEGIN
                    INSERT INTO gold_changed_key SELECT OLD.source, OLD.source_key WHERE NOT EXISTS (SELECT 1 FROM gold_changed_key WHERE source = OLD.source AND source_key = OLD.source_key);
                END;
            CREATE TRIGGER silver_customer_updated_for_gold AFTER UPDATE ON silver_customer
                BEGIN
                    INSERT INTO gold_changed_key SELECT OLD.source, OLD.source_key WHERE NOT EXISTS (SELECT 1 FROM gold_changed_key WHERE source = OLD.source AND source_key = OLD.source_key);
                    INSERT INTO gold_changed_key SELECT NEW.source, NEW.source_key WHERE NOT EXISTS (SELECT 1 FROM gold_changed_key WHERE source = NEW.source AND source_key = NEW.source_key);
                END;
            CREATE TRIGGER silver_customer_deleted_for_gold AFTER DELETE ON silver_customer
                BEGIN
                    INSERT INTO gold_changed_key SELECT OLD.source, OLD.source_key WHERE NOT EXISTS (SELECT 1 FROM gold_changed_key WHERE source = OLD.source AND source_key = OLD.source_key);
                END;
            CREATE TRIGGER silver_order_updated_for_gold AFTER UPDATE ON silver_order
                BEGIN
                    INSERT INTO gold_changed_reference SELECT 'order', coalesce(OLD.customer_id, '') WHERE NOT EXISTS (SELECT 1 FROM gold_changed_reference WHERE entity = 'order' AND reference = coalesce(OLD.customer_id, ''));
                    INSERT INTO gold_changed_reference SELECT 'order', coalesce(NEW.customer_id, '') WHERE NOT EXISTS (SELECT 1 FROM gold_changed_reference WHERE entity = 'order' AND reference = coalesce(NEW.customer_id, ''));
                END;
            CREATE TRIGGER silver_order_deleted_for_gold AFTER DELETE ON silver_order
                BEGIN
                    INSERT INTO gold_changed_reference SELECT 'order', coalesce(OLD.customer_id, '') WHERE NOT EXISTS (SELECT 1 FROM gold_changed_reference WHERE entity = 'order' AND reference = coalesce(OLD.customer_id, ''));
                END;
            CREATE TRIGGER silver_event_updated_for_gold AFTER UPDATE ON silver_event
                BEGIN
                    INSERT INTO gold_changed_reference SELECT 'event', coalesce(OLD.contact_id, '') WHERE NOT EXISTS (SELECT 1 FROM gold_changed_reference WHERE entity = 'event' AND reference = coalesce(OLD.contact_id, ''));
                    INSERT INTO gold_changed_reference SELECT 'event', coalesce(NEW.contact_id, '') WHERE NOT EXISTS (SELECT 1 FROM gold_changed_reference WHERE entity = 'event' AND reference = coalesce(NEW.contact_id, ''));
                END;
            CREATE TRIGGER silver_event_deleted_for_gold AFTER DELETE ON silver_event
                BEGIN
                    INSERT INTO gold_changed_reference SELECT 'event', coalesce(OLD.contact_id, '') WHERE NOT EXISTS (SELECT 1 FROM gold_changed_reference WHERE entity = 'event' AND reference = coalesce(OLD.contact_id, ''));
                END;
            CREATE TRIGGER silver_campaign_updated_for_gold AFTER UPDATE ON silver_campaign
                BEGIN
                    INSERT INTO gold_changed_reference SELECT 'campaign', OLD.source_key WHERE NOT EXISTS (SELECT 1 FROM gold_changed_reference WHERE entity = 'campaign' AND reference = OLD.source_key);
                END;
            CREATE TRIGGER silver_campaign_deleted_for_gold AFTER DELETE ON silver_campaign
                BEGIN
                    INSERT INTO gold_changed_reference SELECT 'campaign', OLD.source_key WHERE NOT EXISTS (SELECT 1 FROM gold_changed_reference WHERE entity = 'campaign' AND reference = OLD.source_key);
                END;
            CREATE INDEX customer_search_by_golden ON customer_search(golden_id);
            """#
        ),
        // A silver row's id is the table's next rowid: a deleted last row (a release taken back, a discarded batch) gives
        // its id to the next row written, at or below the gold build's mark, which the next build then took for old (a
        // new order of another customer left that customer's gold unchanged). A deleted row lowers the mark below
        // itself, so whatever takes its id is read as new.
        (
            "v13-deleted-silver-rows-lower-the-gold-mark",
            #"""
            CREATE TRIGGER silver_customer_deleted_lowers_gold_mark AFTER DELETE ON silver_customer
                BEGIN
                    UPDATE gold_build_mark SET silver_customer = OLD.id - 1 WHERE silver_customer >= OLD.id;
                END;
            CREATE TRIGGER silver_order_deleted_lowers_gold_mark AFTER DELETE ON silver_order
                BEGIN
                    UPDATE gold_build_mark SET silver_order = OLD.id - 1 WHERE silver_order >= OLD.id;
                END;
            CREATE TRIGGER silver_event_deleted_lowers_gold_mark AFTER DELETE ON silver_event
                BEGIN
                    UPDATE gold_build_mark SET silver_event = OLD.id - 1 WHERE silver_event >= OLD.id;
                END;
            CREATE TRIGGER silver_campaign_deleted_lowers_gold_mark AFTER DELETE ON silver_campaign
                BEGIN
                    UPDATE gold_build_mark SET silver_campaign = OLD.id - 1 WHERE silver_campaign >= OLD.id;
                END;
            """#
        ),
        // `cdp run` records a run and its `run.start` audit row in one transaction, so `cdp audit verify` names a run
        // without it as written outside cdp run. An older release appended `run.start` on its own after the run's row,
        // and a run whose append failed then is no such thing: the rule holds from the first run recorded after this
        // migration. The boundary is kept like the audit log's own records: one row, never changed or removed.
        (
            "v14-runs-are-recorded-with-their-start",
            #"""
            CREATE TABLE run_start_rule (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                first_run INTEGER NOT NULL
            );
            INSERT INTO run_start_rule (id, first_run) SELECT 1, coalesce(max(id), 0) + 1 FROM workflow_run;
            CREATE TRIGGER run_start_rule_no_update BEFORE UPDATE ON run_start_rule BEGIN SELECT RAISE(ABORT, 'run_start_rule is append-only'); END;
            CREATE TRIGGER run_start_rule_no_delete BEFORE DELETE ON run_start_rule BEGIN SELECT RAISE(ABORT, 'run_start_rule is append-only'); END;
            """#
        ),
        // What the last match run left for the next one (`MatchState`, encoded: the pinned model, the records it matched
        // by version, the records of blocks too large to pair, every kept pair with its weight), so a pipeline run scores
        // only the pairs that touch new or changed records. One row, replaced by every match run that keeps it.
        (
            "v15-match-state",
            #"""
            CREATE TABLE match_state (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                run_id INTEGER NOT NULL REFERENCES match_run(id),
                state BLOB NOT NULL
            );
            """#
        ),
    ]
}
