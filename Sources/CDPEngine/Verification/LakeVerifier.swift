import CDPCore
import CDPStore
import Foundation

/// Checks the lake's invariants: conservation (every bronze row in exactly one of silver or quarantine),
/// batch counts, one current row per key, landed files intact (SHA-256), and the audit chain.
public struct LakeVerifier: Sendable {
    public let workspace: Workspace

    public init(workspace: Workspace) { self.workspace = workspace }

    public struct Report: Sendable, Codable {
        public var checks: [String]
        public var problems: [String]
        public var holds: Bool { problems.isEmpty }
    }

    public func verify() throws(EngineError) -> Report {
        let store = workspace.store
        var problems = try storeCall { () throws(StoreError) in try store.invariantViolations(isAlive: { kill($0, 0) == 0 }) }
        for batch in try storeCall({ () throws(StoreError) in try store.batches() }) {
            let path = workspace.root.appendingPathComponent(batch.landedPath).path
            guard FileManager.default.fileExists(atPath: path) else {
                problems.append("landing: \(batch.landedPath) (batch \(batch.id)) is missing from the lake")
                continue
            }
            let digest = try storeCall { () throws(StoreError) in try FileDigest.sha256(ofFileAt: path) }
            if digest.hex != batch.sha256 {
                problems.append("landing: \(batch.landedPath) (batch \(batch.id)) changed after landing: SHA-256 \(digest.hex.prefix(12))… ≠ manifest \(batch.sha256.prefix(12))…")
            }
        }
        problems += try storeCall { () throws(StoreError) in try store.auditChainProblems() }
        return Report(
            checks: [
                "every bronze row is in exactly one of silver or quarantine",
                "released quarantine records have their silver row",
                "batch counts add up (read = bronze + unchanged; bronze = silver + quarantined)",
                "no batch is left half-ingested",
                "one current silver row per source key",
                "landed files are present and unchanged (SHA-256)",
                "the audit log's hash chain is intact",
            ],
            problems: problems)
    }
}
