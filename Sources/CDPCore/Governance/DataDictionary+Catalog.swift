/// What the lake's own tables mean: the known semantics the dictionary is seeded from. A column the
/// catalog does not describe is seeded without a description and shows up as a gap.
enum DictionaryCatalog {
    /// The lake's tables and views the dictionary describes, by layer (the runs, audit and candidate-pair
    /// internals are operational, not data, and stay out; golden records and the search index are data).
    static let lakeDatasets: [(layer: DictionaryLayer, name: String)] = [
        (.bronze, "batch"), (.bronze, "bronze_row"),
        (.silver, "silver_customer"), (.silver, "silver_order"), (.silver, "silver_campaign"), (.silver, "silver_event"),
        (.silver, "row_warning"), (.silver, "rule_result"), (.silver, "dq_scorecard"),
        (.quarantine, "quarantine_record"), (.quarantine, "quarantine_history"),
        (.gold, "customer_360"), (.gold, "campaign_performance"), (.gold, "engagement_daily"),
        (.gold, "data_quality_scorecard"), (.gold, "match_summary"),
        (.gold, "golden_record"), (.gold, "golden_xref"), (.gold, "golden_override"),
        (.gold, "customer_search"), (.gold, "customer_name_variant"),
    ]

    static let datasetDescriptions: [String: String] = [
        "batch": "One row per landed file: its source, name, SHA-256, size, state and row counts (the landing manifest).",
        "bronze_row":
            "View: every row of every landed file, before any rule, with where it went; its text is read from the immutable landed copy.",
        "row_warning": "Warnings raised by rules of severity warn on rows that still passed to silver.",
        "rule_result": "Per batch and rule: how many rows were checked and how many failed.",
        "dq_scorecard": "Per run, source and rule: rows checked, rows failed and the pass rate.",
        "quarantine_record":
            "Rows held back by an error rule: their fields as landed, the failures and the status stewards move them through.",
        "quarantine_history": "What stewards did to each quarantined record (fixes, releases, rejections), oldest first.",
        "customer_360": "One row per golden customer: surviving attributes, consent, order and campaign totals, open quality issues.",
        "campaign_performance": "One row per campaign: reach, opens, clicks, conversions, rates, revenue and cost per conversion.",
        "engagement_daily": "Per channel and day: messages sent, opens, clicks, conversions, unsubscribes and revenue.",
        "data_quality_scorecard": "View: each run's rule pass rates with the time the run started.",
        "match_summary": "View: per matching run, records compared, pairs merged, candidates queued and decided, golden records.",
        "golden_record": "One row per golden record (master customer): its surviving attributes with provenance, as JSON.",
        "golden_xref": "Cross-reference of every source record to its golden record, with history (valid from/to run).",
        "golden_override": "Attribute values a steward set by hand on a golden record; they survive later matching runs.",
        "customer_search": "The Customer 360 search index: each golden customer's folded names, emails, mailbox parts and phone numbers.",
        "customer_name_variant": "Search index of distinct names by sound (Metaphone) and one-letter deletions, for typo-tolerant search.",
    ]

    /// Column meanings shared by every table that has the column.
    static let columnDescriptions: [String: String] = [
        "id": "Row id within this table.",
        "bronze_id": "The bronze row this row was read from.",
        "batch_id": "The landed file (batch) the row came from.",
        "run_id": "The workflow run that wrote the row.",
        "source": "The source, as named in cdp.toml.",
        "source_key": "The record's key in its source (the source's primary_key column).",
        "content_hash": "Hash of the row's content; an unchanged row in a later file is recognised and skipped.",
        "is_current": "1 for the current version of the source record, 0 for a version a later file superseded.",
        "superseded_by": "The silver row that replaced this version, when it is no longer current.",
        "line": "Line number of the row in its landed file.",
        "record_offset": "Where the row's record starts in the landed file, in bytes (empty for rows landed before spans were kept).",
        "record_length": "Length of the row's record in the landed file, in bytes, without its line end.",
        "landed_in": "Where the row went: its silver table, or quarantine_record while it is held.",
        "raw": "The row exactly as landed (a CSV line or a JSON object), read from the landed file; it holds every personal field.",
        "rule": "Rule name from governance/rules.toml.",
        "severity": "Rule severity: warn, error or fatal.",
        "evaluated": "Rows the rule checked.",
        "failed": "Rows that failed the rule.",
        "pass_rate": "Share of checked rows that passed, from 0 to 1.",
        "first_name": "Given name.",
        "last_name": "Family name.",
        "full_name": "Whole name in one field (marketing contacts); split into given and family names for matching.",
        "email": "E-mail address, trimmed, lower-cased and validated.",
        "phone": "Phone number in international E.164 form.",
        "birth_date": "Date of birth.",
        "street": "Street address line.",
        "city": "Town or city.",
        "postcode": "Postal code, upper-cased with spacing normalised.",
        "country": "Country as an ISO 3166-1 alpha-2 code.",
        "created_at": "When the source system created the record.",
        "updated_at": "When the source system last changed the record.",
        "loyalty_tier": "CRM loyalty tier.",
        "email_opt_in": "Consent to marketing e-mail: 1 yes, 0 no.",
        "sms_opt_in": "Consent to marketing text messages: 1 yes, 0 no.",
        "crm_customer_id": "The CRM customer id a marketing contact carries, when known.",
        "signup_source": "Where a marketing contact signed up.",
        "customer_id": "The CRM customer who placed the order.",
        "order_date": "Date of the order.",
        "amount": "Order amount in the order's currency.",
        "currency": "ISO 4217 currency code.",
        "status": "Order status in the CRM.",
        "name": "Campaign name.",
        "channel": "Campaign channel, e.g. email or sms.",
        "start_date": "First day of the campaign.",
        "end_date": "Last day of the campaign.",
        "budget": "Campaign budget in its currency.",
        "contact_id": "The marketing contact the event concerns.",
        "campaign_id": "The campaign the event belongs to.",
        "event_type": "What happened: sent, open, click, conversion or unsubscribe.",
        "occurred_at": "When it happened (UTC).",
        "revenue": "Revenue attributed to conversions.",
        "sent": "Messages sent.",
        "opens": "Messages opened.",
        "clicks": "Links clicked.",
        "conversions": "Conversions.",
        "unsubscribes": "Unsubscribes.",
    ]

    /// Column meanings particular to one table, over the shared ones.
    static let datasetColumnDescriptions: [String: [String: String]] = [
        "silver_customer": [
            "attributes": "Extra attributes the source maps beyond the canonical model ([sources.attributes] in cdp.toml), as a "
                + "JSON object of text; each is personal unless the dictionary tags its source column otherwise."
        ],
        "batch": [
            "source": "The source the file landed for.",
            "file_name": "Name of the landed file.",
            "landed_path": "Where the file is kept under lake/landing/.",
            "sha256": "SHA-256 of the file; the same file never lands twice for a source.",
            "bytes": "File size in bytes.",
            "landed_at": "When the file landed.",
            "state": "Where ingestion of the file is: landed, ingesting, ingested or refused.",
            "rows_read": "Rows read from the file.",
            "rows_unchanged": "Rows identical to the current silver version, skipped.",
            "rows_silver": "Rows written to silver.",
            "rows_quarantined": "Rows held in quarantine.",
            "rows_warned": "Rows passed to silver with a warning.",
            "error": "Why ingestion failed, when it did.",
        ],
        "row_warning": [
            "field": "The canonical field the warning is about.",
            "value": "The value that raised the warning, as landed.",
            "message": "What is wrong with the value; it may quote the value.",
        ],
        "quarantine_record": [
            "entity": "The canonical entity of the row (customer, order, campaign, event).",
            "status": "open, fixed, released or rejected.",
            "fields": "The row's fields as landed or as a steward fixed them (JSON: field → value).",
            "failures": "The rules the row fails, with the failing values (JSON).",
            "rules": "Names of the failing rules.",
            "created_at": "When the row was quarantined.",
            "updated_at": "When a steward last changed the record.",
            "resolution": "Why the record was rejected, in the steward's words.",
        ],
        "quarantine_history": [
            "quarantine_id": "The quarantined record.",
            "at": "When the action happened.",
            "actor": "Who acted (the OS user, or the user named by --as).",
            "action": "What was done: fix, release, reject or revalidate.",
            "detail": "What changed, with the values (field=value).",
        ],
        "customer_360": [
            "golden_id": "The golden record this customer is (G…), built by matching.",
            "first_name": "Given name, chosen by survivorship among the customer's records.",
            "last_name": "Family name, chosen by survivorship among the customer's records.",
            "email": "E-mail address, chosen by survivorship among the customer's records.",
            "phone": "Phone number (E.164), chosen by survivorship among the customer's records.",
            "birth_date": "Date of birth, chosen by survivorship among the customer's records.",
            "email_opt_in": "Latest consent to marketing e-mail among the customer's records.",
            "sms_opt_in": "Latest consent to marketing text messages among the customer's records.",
            "source_count": "How many source records are merged into this customer.",
            "sources": "The sources contributing records, comma-separated.",
            "first_seen": "Earliest creation time among the customer's records.",
            "last_seen": "Latest update time among the customer's records.",
            "orders": "Orders placed.",
            "lifetime_value": "Sum of the customer's order amounts, cancelled and refunded orders left out.",
            "last_order": "Date of the latest order.",
            "campaigns_reached": "Campaigns that reached the customer.",
            "conversion_revenue": "Revenue from the customer's conversions.",
            "last_engagement": "Time of the customer's latest open, click or conversion.",
            "open_quality_issues": "The customer's quarantined records still open.",
            "built_run": "The run that built this row.",
        ],
        "campaign_performance": [
            "campaign_id": "The campaign's key in its source.",
            "unique_reached": "Distinct contacts the campaign was sent to (its reach; never more than sent).",
            "open_rate": "Share of the contacts sent the campaign who opened it.",
            "click_rate": "Share of the contacts sent the campaign who clicked.",
            "conversion_rate": "Share of the contacts sent the campaign who converted.",
            "cost_per_conversion": "Budget divided by conversions.",
        ],
        "engagement_daily": [
            "day": "Calendar day (UTC)."
        ],
        "data_quality_scorecard": [
            "run_started_at": "When the run started."
        ],
        "golden_record": [
            "id": "The golden id (G…), stable across runs: a cluster that grows keeps it.",
            "attributes": "Surviving attributes as JSON: name, value, the source record it came from and the survivorship rule.",
            "member_count": "Source records linked to this golden record.",
            "created_run": "The matching run that created it.",
            "updated_run": "The matching run that last changed it.",
            "retired_run": "The matching run that retired it (merged into another), or empty while it is current.",
        ],
        "golden_xref": [
            "id": "Row id of this link.",
            "golden_id": "The golden record the source record belongs to.",
            "valid_from_run": "The matching run from which the link holds.",
            "valid_to_run": "The matching run that ended the link (an unmerge or a merge), or empty while it holds.",
        ],
        "golden_override": [
            "golden_id": "The golden record overridden.",
            "attribute": "The attribute set by hand.",
            "value": "The value the steward set.",
            "set_by": "The steward who set it.",
            "set_at": "When it was set.",
        ],
        "customer_search": [
            "key": "A search key: a folded name word, an email or its mailbox part, phone digits or a national number.",
            "golden_id": "The golden customer found by the key.",
        ],
        "customer_name_variant": [
            "variant": "A name's Metaphone code (~…), a one-letter deletion (#…) or the name itself.",
            "name": "The folded name word the variant leads to.",
        ],
        "match_summary": [
            "match_run": "The matching run.",
            "started_at": "When the matching run started.",
            "finished_at": "When the matching run finished.",
            "records": "Records compared.",
            "auto_merged_pairs": "Pairs merged without review.",
            "queued": "Candidate pairs queued for a steward.",
            "decided": "Queued pairs a steward decided.",
            "golden_records": "Golden records after the run.",
            "largest_cluster": "Records in the largest golden record.",
        ],
    ]

    /// Columns holding whole records or free text that quotes values: withheld without `view_pii`.
    static let recordColumns: Set<String> = [
        "bronze_row.raw", "quarantine_record.fields", "quarantine_record.failures", "quarantine_record.resolution",
        "quarantine_history.detail", "row_warning.value", "row_warning.message",
        "golden_record.attributes", "golden_override.value", "silver_customer.attributes", "customer_search.key", "customer_name_variant.variant",
        "customer_name_variant.name",
    ]

    /// Gold columns and the silver (or other) columns they are built from.
    static let goldLineage: [String: [String: [String]]] = [
        "customer_360": [
            "golden_id": ["golden_record.id"], "sources": ["silver_customer.source"], "source_count": ["silver_customer.source"],
            "first_seen": ["silver_customer.created_at"], "last_seen": ["silver_customer.updated_at"],
            "orders": ["silver_order.customer_id"], "lifetime_value": ["silver_order.amount"], "last_order": ["silver_order.order_date"],
            "campaigns_reached": ["silver_event.campaign_id"], "sent": ["silver_event.event_type"], "opens": ["silver_event.event_type"],
            "clicks": ["silver_event.event_type"], "conversions": ["silver_event.event_type"],
            "unsubscribes": ["silver_event.event_type"], "conversion_revenue": ["silver_event.revenue"],
            "last_engagement": ["silver_event.occurred_at"], "open_quality_issues": ["quarantine_record.status"],
        ],
        "campaign_performance": [
            "campaign_id": ["silver_campaign.source_key"], "unique_reached": ["silver_event.contact_id"],
            "sent": ["silver_event.event_type"], "opens": ["silver_event.event_type"], "clicks": ["silver_event.event_type"],
            "conversions": ["silver_event.event_type"], "unsubscribes": ["silver_event.event_type"],
            "open_rate": ["silver_event.event_type"], "click_rate": ["silver_event.event_type"],
            "conversion_rate": ["silver_event.event_type"], "revenue": ["silver_event.revenue"],
            "cost_per_conversion": ["silver_campaign.budget", "silver_event.event_type"],
        ],
        "engagement_daily": [
            "channel": ["silver_campaign.channel"], "day": ["silver_event.occurred_at"], "sent": ["silver_event.event_type"],
            "opens": ["silver_event.event_type"], "clicks": ["silver_event.event_type"], "conversions": ["silver_event.event_type"],
            "unsubscribes": ["silver_event.event_type"], "revenue": ["silver_event.revenue"],
        ],
        "data_quality_scorecard": ["run_started_at": ["workflow_run.started_at"]],
        "match_summary": [
            "match_run": ["match_run.id"], "started_at": ["match_run.started_at"], "finished_at": ["match_run.finished_at"],
            "queued": ["match_candidate.status"], "decided": ["match_candidate.status"],
        ],
    ]

    /// Gold datasets and the datasets they are built from.
    static let goldDatasetLineage: [String: [String]] = [
        "customer_360": ["silver_customer", "silver_order", "silver_event", "quarantine_record"],
        "campaign_performance": ["silver_campaign", "silver_event"],
        "engagement_daily": ["silver_campaign", "silver_event"],
        "data_quality_scorecard": ["dq_scorecard"],
        "match_summary": ["silver_customer"],
    ]

    /// The gold datasets whose same-named columns copy a silver table's (customer_360.email ← silver_customer.email).
    static let goldCopies: [String: String] = [
        "customer_360": "silver_customer", "campaign_performance": "silver_campaign", "data_quality_scorecard": "dq_scorecard",
    ]

    static func format(_ kind: FieldKind) -> String {
        switch kind {
        case .text: return "text, trimmed, inner whitespace collapsed"
        case .code: return "lower-case code"
        case .personName: return "name as written, whitespace normalised"
        case .email: return "lower-case e-mail address, local@domain.tld"
        case .phone: return "E.164, e.g. +447700900123"
        case .country: return "ISO 3166-1 alpha-2, e.g. GB"
        case .postcode: return "upper-case, spacing normalised"
        case .date: return "yyyy-MM-dd"
        case .timestamp: return "yyyy-MM-ddTHH:mm:ssZ (UTC)"
        case .decimal: return "decimal number"
        case .integer: return "whole number"
        case .boolean: return "1 (true) or 0 (false)"
        }
    }

    /// Made-up examples, never data from the lake.
    static let examples: [String: String] = [
        "first_name": "Jane", "last_name": "Doe", "full_name": "Jane Doe", "email": "jane.doe@example.com",
        "phone": "+447700900123", "birth_date": "1985-04-12", "street": "10 Example Street", "city": "London",
        "postcode": "SW1A 2AA", "country": "GB", "created_at": "2024-03-01T09:30:00Z", "updated_at": "2024-06-11T16:02:00Z",
        "email_opt_in": "1", "sms_opt_in": "0", "order_date": "2024-05-17", "amount": "49.99", "currency": "GBP",
        "name": "Spring Sale", "channel": "email", "start_date": "2024-04-01", "end_date": "2024-04-30", "budget": "5000",
        "event_type": "open", "occurred_at": "2024-04-02T08:15:00Z", "revenue": "25.5",
    ]
}
