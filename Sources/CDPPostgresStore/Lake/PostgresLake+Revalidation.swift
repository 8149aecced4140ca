import CDPCore
import CDPRepositories
import Foundation

/// The revalidate step on the team store: the held records that pass now are marked a batch at a time, in one call of
/// `cdp.quarantine_revalidate_as_read` (``PostgresSchema/revalidationObjects``), which marks only those still open
/// as read, under the run lock the run holds.
extension PostgresLake {
    public func markPassingNow(_ passing: [(read: QuarantineRecord, change: QuarantineChange)], at: String) throws(StoreError) -> Int {
        guard !passing.isEmpty else { return 0 }
        var records: [[String: Any]] = []
        for (read, change) in passing {
            guard change.status == .fixed, change.fields == read.fields, change.sourceKey == read.sourceKey else {
                throw StoreError(
                    .unsupported, "\(read.id): the revalidate step marks a record that passes as it was read fixed, and nothing else; nothing was written")
            }
            let failures: String
            do { failures = String(decoding: try JSONEncoder.sortedKeys.encode(change.failures), as: UTF8.self) } catch {
                throw StoreError(.database, "\(read.id): its failures cannot be written as JSON", underlying: error)
            }
            records.append([
                "id": read.id.rawValue, "fields": read.fields, "source_key": read.sourceKey, "failures": failures,
                "detail": change.historyDetail(replacing: read.failures),
            ])
        }
        let argument: String
        do { argument = String(decoding: try JSONSerialization.data(withJSONObject: records, options: [.sortedKeys]), as: UTF8.self) } catch {
            throw StoreError(.database, "the records to revalidate cannot be written as JSON", underlying: error)
        }
        let marked = try work("mark held records that pass now") { session async throws(PostgresStoreError) in
            try await session.value("SELECT cdp.quarantine_revalidate_as_read($1)::text", [argument])
        }
        return Int(try integer(marked, "the records marked fixed"))
    }
}

extension JSONEncoder {
    /// Keys sorted, slashes as they are: the JSON the embedded lake stores.
    fileprivate static var sortedKeys: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
