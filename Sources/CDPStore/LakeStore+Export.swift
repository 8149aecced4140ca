import CDPRepositories
import GRDB

/// Reading whole tables out of the lake, as text, for moving a lake into another store (`cdp store migrate`).
extension LakeStore {
    /// Where a table's export has got to: the key of the last row read (the rowid, or the primary key of a table
    /// without one), so the next batch starts after it however many rows there are.
    public struct ExportPosition: Sendable {
        fileprivate var key: [DatabaseValue]
    }

    /// The lake's own tables (no SQLite or GRDB bookkeeping), sorted.
    public func tableNames() throws(StoreError) -> [String] {
        try read("list the lake's tables") { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
                        AND name NOT LIKE 'grdb\\_%' ESCAPE '\\' ORDER BY name
                    """)
        }
    }

    /// A table's columns, in order.
    public func columnNames(of table: String) throws(StoreError) -> [String] {
        try read("read the columns of \(table)") { db in try db.columns(in: table).map(\.name) }
    }

    /// The rows after `position` (from the first when nil), at most `limit`, each column as text as SQL renders it
    /// (integers in decimal, reals in the shortest form that reads back the same, NULL as nil), in key order.
    /// - Returns: the rows and the position after the last (nil when there are no more).
    /// - Throws: `.database` for a BLOB, which no table of the lake holds.
    public func exportRows(of table: String, columns: [String], after position: ExportPosition?, limit: Int) throws(StoreError)
        -> (rows: [[String?]], next: ExportPosition?)
    {
        try read("export \(table)") { db in
            let key = try Self.exportKey(db, table)
            let quotedKey = key.map { $0.quotedDatabaseIdentifier }
            let list = (quotedKey + columns.map(\.quotedDatabaseIdentifier)).joined(separator: ", ")
            var sql = "SELECT \(list) FROM \(table.quotedDatabaseIdentifier)"
            var arguments: StatementArguments = []
            if let position {
                sql +=
                    " WHERE (\(quotedKey.joined(separator: ", "))) > (\(Array(repeating: "?", count: key.count).joined(separator: ", ")))"
                arguments = StatementArguments(position.key)
            }
            sql += " ORDER BY \(quotedKey.joined(separator: ", ")) LIMIT \(limit)"
            var rows: [[String?]] = []
            var last: [DatabaseValue]?
            let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try cursor.next() {
                last = (0..<key.count).map { row[$0] as DatabaseValue }
                var values: [String?] = []
                values.reserveCapacity(columns.count)
                for index in key.count..<(key.count + columns.count) {
                    let value: DatabaseValue = row[index]
                    switch value.storage {
                    case .null: values.append(nil)
                    case .int64(let number): values.append(String(number))
                    case .double(let number): values.append(String(number))
                    case .string(let text): values.append(text)
                    case .blob:
                        throw StoreError(
                            .database, "\(table).\(columns[index - key.count]) holds a BLOB, which no table of the lake should")
                    }
                }
                rows.append(values)
            }
            return (rows, rows.count < limit ? nil : last.map { ExportPosition(key: $0) })
        }
    }

    /// The key export pages by: the rowid, or the primary key of a table WITHOUT ROWID.
    private static func exportKey(_ db: Database, _ table: String) throws -> [String] {
        let withoutRowID =
            try Bool.fetchOne(
                db, sql: "SELECT sql LIKE '%WITHOUT ROWID%' FROM sqlite_master WHERE type = 'table' AND name = ?", arguments: [table])
            ?? false
        guard withoutRowID else { return ["rowid"] }
        return try db.primaryKey(table).columns
    }
}
