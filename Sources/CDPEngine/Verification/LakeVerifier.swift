import CDPCore
import CDPRepositories
import CDPStore
import Foundation

/// Checks the lake's invariants: conservation (every bronze row in exactly one of silver or quarantine),
/// batch counts, one current row per key, customers' links to active golden records, landed files intact (SHA-256), and the audit trail (its hash
/// chain, the heads anchored outside it, its append-only triggers).
public struct LakeVerifier: Sendable {
    public let workspace: Workspace

    public init(workspace: Workspace) { self.workspace = workspace }

    /// One check and what it found; it holds when it found nothing.
    public struct Check: Sendable, Codable, Hashable {
        public var name: String
        public var problems: [String]
        public var holds: Bool { problems.isEmpty }
    }

    public struct Report: Sendable, Codable {
        public var checks: [Check]
        /// Every check's problems, in check order.
        public var problems: [String] { checks.flatMap(\.problems) }
        public var holds: Bool { checks.allSatisfy(\.holds) }

        enum CodingKeys: String, CodingKey { case checks, problems, holds }

        public init(checks: [Check]) { self.checks = checks }

        public init(from decoder: any Decoder) throws {
            checks = try decoder.container(keyedBy: CodingKeys.self).decode([Check].self, forKey: .checks)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(checks, forKey: .checks)
            try container.encode(problems, forKey: .problems)
            try container.encode(holds, forKey: .holds)
        }
    }

    public func verify() throws(EngineError) -> Report {
        let lake = workspace.repositories
        // A batch may be half-ingested only by the run holding the lake's run lock now (a PID alone may be reused).
        let lock = RunLock.state(in: workspace.lakeFolder)
        let holderPID = lock.held ? lock.holder?.pid : nil
        let tables = try storeCall { () throws(StoreError) in try lake.status.invariantViolations(isAlive: { $0 == holderPID }) }
        var landing: [String] = []
        for batch in try storeCall({ () throws(StoreError) in try lake.batches.batches() }) {
            let path = workspace.root.appendingPathComponent(batch.landedPath).path
            guard FileManager.default.fileExists(atPath: path) else {
                landing.append("landing: \(batch.landedPath) (batch \(batch.id)) is missing from the lake")
                continue
            }
            let digest = try storeCall { () throws(StoreError) in try FileDigest.sha256(ofFileAt: path) }
            if digest.hex != batch.sha256 {
                landing.append(
                    "landing: \(batch.landedPath) (batch \(batch.id)) changed after landing: SHA-256 \(digest.hex.prefix(12))… ≠ manifest \(batch.sha256.prefix(12))…"
                )
            }
        }
        let audit = try storeCall { () throws(StoreError) in try lake.audit.auditChainProblems() }.map { "audit: \($0)" }
        return Report(checks: [
            Check(
                name: "every bronze row is in exactly one of silver or quarantine; released records have their silver row; "
                    + "batch counts add up; no batch is left half-ingested; one current silver row per source key; "
                    + "each matched customer links to one active golden record, which counts its members",
                problems: tables),
            Check(name: "landed files are present and unchanged (SHA-256)", problems: landing),
            Check(
                name: "the audit log's hash chain, its anchored heads (lake/audit.anchor, run records) and its append-only triggers",
                problems: audit),
        ])
    }
}
