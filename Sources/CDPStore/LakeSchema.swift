import CDPCore
import GRDB

/// The lake's schema as named migrations of fixed SQL (``migrations``). Append new migrations; never edit a
/// shipped one.
enum LakeSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in migrations {
            migrator.registerMigration(migration.identifier) { db in try db.execute(sql: migration.sql) }
        }
        return migrator
    }

    /// Every landed row the lake holds, wherever it went: the lineage of silver rows and of rows held in
    /// quarantine (a released one is counted once, as its silver row). With `raw`, also each row's text read
    /// from its landed file (or, for rows landed before spans were kept, from bronze_row_v1).
    /// `function` names the SQL function that reads a span of a landed file (a user query's connection
    /// registers it under a name of its own, so user SQL cannot call it).
    /// - Parameter schema: the schema the tables are read from, named (a temp view must name the attached lake's),
    ///   or nil for the schema the view is in.
    static func landedRows(raw: Bool, function: String = "landed_text", schema: String? = nil) -> String {
        let prefix = schema.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"." } ?? ""
        let lineage = "bronze_id AS id, batch_id, source, line, source_key, content_hash, record_offset, record_length"
        let text = !raw ? "" : """
            , COALESCE(\(function)((SELECT landed_path FROM \(prefix)batch WHERE batch.id = batch_id), record_offset, record_length),
                (SELECT raw FROM \(prefix)bronze_row_v1 WHERE bronze_row_v1.id = bronze_id)) AS raw
            """
        return (CanonicalEntity.allCases.map { "SELECT \(lineage), '\($0.silverTable)' AS landed_in\(text) FROM \(prefix)\($0.silverTable)" }
            + ["SELECT \(lineage), 'quarantine_record' AS landed_in\(text) FROM \(prefix)quarantine_record WHERE status != 'released'"])
            .joined(separator: "\nUNION ALL ")
    }
}
