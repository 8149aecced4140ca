import CDPCore
import CDPRepositories
import Foundation
import GRDB

/// Reads shaped for the steward console: id lists instead of OFFSET pages, batch reads by id, and the
/// text a free-text filter searches. Each stays proportional to what the screen shows or is done once
/// per filter change, never once per key.
extension LakeStore {
    /// Ids of the records matching `filter` (its `limit` and `offset` are ignored), in `order`
    /// (ties by id, in the same direction). One query over the indexes when ordered by id: a list of
    /// a million ids is 8 MB and makes every later page a read by primary key.
    public func quarantineIDs(_ filter: QuarantineFilter, order: QuarantineOrder = .id, ascending: Bool = true) throws(StoreError)
        -> [Int64]
    {
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
                    lists.append(
                        try Int64.fetchAll(
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
                let record = Self.quarantineRecordFast(row)
                byID[record.id.rawValue] = record
            }
            return ids.compactMap { byID[$0.rawValue] }
        }
    }

    /// Visits every quarantined record's id (ascending) with the text a free-text filter searches: the
    /// key, the field values and the failures' values and messages, as raw UTF-8. JSON keys are left
    /// out (searching "email" should not match every record).
    /// - Parameter rewritingJSON: applied to each JSON column first (the console masks personal values).
    public func forEachQuarantineSearchText(
        rewritingJSON: ((String) -> String)? = nil, _ body: (Int64, UnsafeBufferPointer<UInt8>) -> Void
    ) throws(StoreError) {
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
                    if let rewritingJSON { json = rewritingJSON(json) }
                    json.withUTF8 { QuarantineSearchText.appendJSONStringValues($0, to: &scratch) }
                }
                scratch.withUnsafeBufferPointer { body(id, $0) }
            }
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

    /// Caps what SQLite may hold in memory across every connection of this process (page caches are
    /// recycled beyond it). The console sets it: its scans in the background would otherwise keep up to
    /// 64 MB of pages per reader connection.
    public func limitSQLiteMemory(bytes: Int) {
        _ = try? read("limit SQLite memory") { db in try db.execute(sql: "PRAGMA soft_heap_limit = \(max(0, bytes))") }
    }
}

extension LakeStore {
    /// A quarantined record from a row, reading its JSON columns with ``FlatJSON`` (the list reads 64 of
    /// them per page; Foundation's decoder made that the slowest part of a key press). Anything that is not
    /// the flat shape the store writes falls back to the decoder.
    static func quarantineRecordFast(_ row: Row) -> QuarantineRecord {
        var fieldsText: String = row["fields"]
        var failuresText: String = row["failures"]
        guard let fields = fieldsText.withUTF8({ FlatJSON.stringObject($0) }),
            let failureObjects = failuresText.withUTF8({ FlatJSON.objectArray($0) })
        else { return quarantineRecord(row) }
        var failures: [RuleFailure] = []
        failures.reserveCapacity(failureObjects.count)
        for object in failureObjects {
            guard let rule = object["rule"] ?? nil, let message = object["message"] ?? nil,
                let severity = (object["severity"] ?? nil).flatMap(RuleSeverity.init(rawValue:))
            else { return quarantineRecord(row) }
            failures.append(
                RuleFailure(rule: rule, field: object["field"] ?? nil, value: object["value"] ?? nil, message: message, severity: severity))
        }
        return QuarantineRecord(
            id: QuarantineID(row["id"] as Int64), bronzeRow: BronzeRowID(row["bronze_id"] as Int64),
            batch: BatchID(row["batch_id"] as Int64), run: (row["run_id"] as Int64?).map { RunID($0) },
            source: SourceName(row["source"] as String), entity: CanonicalEntity(rawValue: row["entity"]) ?? .customer,
            sourceKey: row["source_key"], line: row["line"], status: QuarantineStatus(rawValue: row["status"]) ?? .open,
            fields: fields.compactMapValues { $0 }, failures: failures, createdAt: row["created_at"], updatedAt: row["updated_at"],
            resolution: row["resolution"])
    }
}

/// A reader for the two JSON shapes the quarantine columns hold: an object of strings, and an array of
/// such objects. Returns nil for anything else (numbers, nesting, malformed text), so callers fall back.
enum FlatJSON {
    /// `{"key": "value" | null, …}`.
    static func stringObject(_ bytes: UnsafeBufferPointer<UInt8>) -> [String: String?]? {
        var index = 0
        guard let object = parseObject(bytes, &index) else { return nil }
        skipSpace(bytes, &index)
        return index == bytes.count ? object : nil
    }

    /// `[{…}, …]` of string objects.
    static func objectArray(_ bytes: UnsafeBufferPointer<UInt8>) -> [[String: String?]]? {
        var index = 0
        skipSpace(bytes, &index)
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else { return nil }
        index += 1
        var result: [[String: String?]] = []
        skipSpace(bytes, &index)
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
        } else {
            while true {
                guard let object = parseObject(bytes, &index) else { return nil }
                result.append(object)
                skipSpace(bytes, &index)
                guard index < bytes.count else { return nil }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                guard bytes[index] == UInt8(ascii: "]") else { return nil }
                index += 1
                break
            }
        }
        skipSpace(bytes, &index)
        return index == bytes.count ? result : nil
    }

    private static func skipSpace(_ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int) {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }

    private static func parseObject(_ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int) -> [String: String?]? {
        skipSpace(bytes, &index)
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        var object: [String: String?] = [:]
        skipSpace(bytes, &index)
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return object
        }
        while true {
            skipSpace(bytes, &index)
            guard let key = parseString(bytes, &index) else { return nil }
            skipSpace(bytes, &index)
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            skipSpace(bytes, &index)
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: "n") {
                guard index + 4 <= bytes.count, bytes[index + 1] == UInt8(ascii: "u"), bytes[index + 2] == UInt8(ascii: "l"),
                    bytes[index + 3] == UInt8(ascii: "l")
                else { return nil }
                index += 4
                object[key] = .some(nil)
            } else {
                guard let value = parseString(bytes, &index) else { return nil }
                object[key] = value
            }
            skipSpace(bytes, &index)
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            guard bytes[index] == UInt8(ascii: "}") else { return nil }
            index += 1
            return object
        }
    }

    /// A string token starting at `index` (its opening quote); escapes decoded, surrogate pairs joined.
    private static func parseString(_ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int) -> String? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        index += 1
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") { index += 1 }
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "\"") {
            index += 1
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(index - 1)]), as: UTF8.self)
        }
        var out = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: out, as: UTF8.self)
            }
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                index += 1
                continue
            }
            guard index + 1 < bytes.count else { return nil }
            let escaped = bytes[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex4(bytes, index) else { return nil }
                index += 4
                if (0xD800..<0xDC00).contains(scalar) {
                    guard index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u"),
                        let low = hex4(bytes, index + 2), (0xDC00..<0xE000).contains(low)
                    else { return nil }
                    index += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { return nil }
                out.append(contentsOf: Array(String(Character(unicode)).utf8))
            default:
                return nil
            }
        }
        return nil
    }

    private static func hex4(_ bytes: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt32? {
        guard at + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = bytes[at + offset]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
            value = value << 4 | digit
        }
        return value
    }
}

extension QuarantineOrder {
    /// The SQL expression over `quarantine_record` that orders by this column.
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
        // ISO 8601 text orders as time; the newest first when ascending.
        case .age: return "-julianday(created_at)"
        }
    }
}
