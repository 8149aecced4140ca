import CDPCore
import Foundation
import GRDB

/// Reads shaped for the steward console: id lists instead of OFFSET pages, batch reads by id, and the
/// text a free-text filter searches. Each stays proportional to what the screen shows or is done once
/// per filter change, never once per key.
extension LakeStore {
    /// A column the quarantine list can be ordered by.
    public enum QuarantineOrder: String, Sendable, Hashable, CaseIterable {
        case id, status, source, key, name, line, rules, problem

        var sql: String {
            switch self {
            case .id: return "id"
            case .status: return "status"
            case .source: return "source"
            case .key: return "source_key"
            case .name: return "json_extract(fields, '$.last_name')"
            case .line: return "line"
            case .rules: return "rules"
            case .problem: return "failures"
            }
        }
    }

    /// Ids of the records matching `filter` (its `limit` and `offset` are ignored), in `order`
    /// (ties by id, in the same direction). One query over the indexes when ordered by id: a list of
    /// a million ids is 8 MB and makes every later page a read by primary key.
    public func quarantineIDs(_ filter: QuarantineFilter, order: QuarantineOrder = .id, ascending: Bool = true) throws(StoreError) -> [Int64] {
        try read("list quarantine ids") { db in
            let direction = ascending ? "ASC" : "DESC"
            if order == .id, filter.text?.isEmpty ?? true, filter.statuses.count > 1 {
                // One index range per status, each already in id order, merged here: no temporary
                // B-tree sort over the whole result.
                var lists: [[Int64]] = []
                for status in filter.statuses {
                    var single = filter
                    single.statuses = [status]
                    let (whereSQL, arguments) = single.whereClause()
                    lists.append(try Int64.fetchAll(
                        db, sql: "SELECT id FROM quarantine_record \(whereSQL) ORDER BY id", arguments: StatementArguments(arguments)))
                }
                let merged = Self.merge(lists)
                return ascending ? merged : merged.reversed()
            }
            let (whereSQL, arguments) = filter.whereClause()
            let orderSQL = order == .id ? "id \(direction)" : "\(order.sql) \(direction), id \(direction)"
            return try Int64.fetchAll(
                db, sql: "SELECT id FROM quarantine_record \(whereSQL) ORDER BY \(orderSQL)", arguments: StatementArguments(arguments))
        }
    }

    /// Merges ascending id lists into one ascending list.
    static func merge(_ lists: [[Int64]]) -> [Int64] {
        var lists = lists.filter { !$0.isEmpty }
        guard lists.count > 1 else { return lists.first ?? [] }
        while lists.count > 1 {
            let a = lists.removeLast(), b = lists.removeLast()
            var out: [Int64] = []
            out.reserveCapacity(a.count + b.count)
            var i = 0, j = 0
            while i < a.count && j < b.count {
                if a[i] <= b[j] { out.append(a[i]); i += 1 } else { out.append(b[j]); j += 1 }
            }
            out += a[i...]
            out += b[j...]
            lists.append(out)
        }
        return lists[0]
    }

    /// The records with these ids, in the order given (ids that do not exist are left out). One query.
    public func quarantineRecords(ids: [QuarantineID]) throws(StoreError) -> [QuarantineRecord] {
        guard !ids.isEmpty else { return [] }
        return try read("read \(ids.count) quarantined records") { db in
            let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ",")
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM quarantine_record WHERE id IN (\(placeholders))",
                arguments: StatementArguments(ids.map(\.rawValue)))
            var byID: [Int64: QuarantineRecord] = [:]
            byID.reserveCapacity(rows.count)
            for row in rows {
                let record = Self.quarantineRecord(row)
                byID[record.id.rawValue] = record
            }
            return ids.compactMap { byID[$0.rawValue] }
        }
    }

    /// Visits every quarantined record's id (ascending) with the text a free-text filter searches: the
    /// key, the field values and the failures' values and messages, as raw UTF-8. JSON keys are left
    /// out (searching "email" should not match every record).
    public func forEachQuarantineSearchText(_ body: (Int64, UnsafeBufferPointer<UInt8>) -> Void) throws(StoreError) {
        try read("read quarantine search text") { db in
            let cursor = try Row.fetchCursor(db, sql: "SELECT id, source_key, fields, failures FROM quarantine_record ORDER BY id")
            var scratch: [UInt8] = []
            scratch.reserveCapacity(512)
            while let row = try cursor.next() {
                scratch.removeAll(keepingCapacity: true)
                let id: Int64 = row[0]
                let key: String = row[1]
                scratch.append(contentsOf: key.utf8)
                scratch.append(0x1F)
                for column in 2...3 {
                    var json: String = row[column]
                    json.withUTF8 { Self.appendJSONStringValues($0, to: &scratch) }
                }
                scratch.withUnsafeBufferPointer { body(id, $0) }
            }
        }
    }

    /// Appends the string values (not the keys) of flat JSON objects and arrays of them, each followed
    /// by a unit separator. Escapes stay as written.
    static func appendJSONStringValues(_ json: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var index = 0
        var afterColon = false
        let count = json.count
        while index < count {
            let byte = json[index]
            if byte == UInt8(ascii: "\"") {
                var end = index + 1
                while end < count && json[end] != UInt8(ascii: "\"") {
                    end += json[end] == UInt8(ascii: "\\") ? 2 : 1
                }
                if afterColon {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: json[(index + 1)..<min(end, count)]))
                    out.append(0x1F)
                }
                afterColon = false
                index = end + 1
                continue
            }
            if byte == UInt8(ascii: ":") { afterColon = true } else if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "{") { afterColon = false }
            index += 1
        }
    }

    /// Records per quarantine status, over every source: an index-only count.
    public func quarantineStatusCounts() throws(StoreError) -> [QuarantineStatus: Int] {
        try read("count quarantine by status") { db in
            var counts: [QuarantineStatus: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) FROM quarantine_record GROUP BY status") {
                if let status = QuarantineStatus(rawValue: row[0]) { counts[status] = row[1] }
            }
            return counts
        }
    }

    /// The dashboard's counts per source, each from an index: batches, bronze rows, current silver rows and
    /// quarantine by status. Unlike ``sourceStatuses(_:)`` it leaves `silverHistory` and `warnings` at 0,
    /// which would take a scan of every silver row.
    public func dashboardSourceStatuses(_ sources: [(SourceName, CanonicalEntity)]) throws(StoreError) -> [SourceStatus] {
        try read("count the lake for the dashboard") { db in
            try sources.map { source, entity in
                var status = SourceStatus(source: source)
                let name = source.rawValue
                status.batches = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM batch WHERE source = ?", arguments: [name]) ?? 0
                status.bronze = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM bronze_row WHERE source = ?", arguments: [name]) ?? 0
                status.silverCurrent = try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM \(entity.silverTable) WHERE source = ? AND is_current = 1", arguments: [name]) ?? 0
                for row in try Row.fetchAll(
                    db, sql: "SELECT status, COUNT(*) FROM quarantine_record WHERE source = ? GROUP BY status", arguments: [name])
                {
                    let count: Int = row[1]
                    switch QuarantineStatus(rawValue: row[0]) {
                    case .open: status.quarantineOpen = count
                    case .fixed: status.quarantineFixed = count
                    case .rejected: status.quarantineRejected = count
                    case .released: status.released = count
                    case nil: break
                    }
                }
                return status
            }
        }
    }

    /// Caps what SQLite may hold in memory across every connection of this process (page caches are
    /// recycled beyond it). The console sets it: its scans in the background would otherwise keep up to
    /// 64 MB of pages per reader connection.
    public func limitSQLiteMemory(bytes: Int) {
        _ = try? read("limit SQLite memory") { db in try db.execute(sql: "PRAGMA soft_heap_limit = \(max(0, bytes))") }
    }
}
