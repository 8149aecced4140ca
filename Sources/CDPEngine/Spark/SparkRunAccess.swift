import CDPCore
import CDPRepositories
import Foundation

extension Workspace {
    /// Checks that `environment`'s user may run this workspace on Spark, and records that they do.
    ///
    /// A Spark run reads every source and writes what it lands, silver and quarantine unmasked, so it needs both
    /// `run_workflows` and `view_pii` (each refusal audited as `access.refused`); the run is audited as `spark.run`
    /// with its master and output, as `cdp run` records its runs.
    public func authorizeSparkRun(_ environment: Environment, master: String, output: String, export: URL?) throws(EngineError) {
        try authorize(.runWorkflows, environment, attempt: "spark.run")
        try authorize(.viewPII, environment, attempt: "spark.run")
        let draft = AuditDraft(
            actor: environment.user, action: "spark.run", target: output,
            reason: "master \(master)" + (export.map { "; export to \($0.path)" } ?? ""))
        try storeCall { () throws(StoreError) in _ = try repositories.audit.appendAudit(draft, at: environment.timestamp) }
    }

    /// Checks that `environment`'s user may write a Spark job carrying the lake's steward work, and records that they
    /// do: the job's decisions file holds override values and released records' fields, personal values unmasked, so it
    /// needs `view_pii` (a refusal audited as `access.refused`); audited as `spark.plan` with the folder.
    public func authorizeSparkPlan(_ environment: Environment, folder: URL) throws(EngineError) {
        try authorize(.viewPII, environment, attempt: "spark.plan")
        let draft = AuditDraft(actor: environment.user, action: "spark.plan", target: folder.path, reason: "the lake's steward decisions written beside the job")
        try storeCall { () throws(StoreError) in _ = try repositories.audit.appendAudit(draft, at: environment.timestamp) }
    }

    /// Refuses what a caller may not choose for a Spark run. Acting for another user (`--as`, README's sudo wrapper),
    /// nothing beyond the workspace's own settings: the program run as spark-submit, the folders read and written,
    /// Spark settings and the run's id would all be used as the account cdp runs as (attack 12, F2: a program of the
    /// caller's ran as the service account, a folder of theirs was written by it). For everyone, a local output folder
    /// among the workspace's own files (``ExportFile/checkDestination(_:in:for:)``).
    /// - Parameter chosen: the options the caller gave (`--spark-submit`, `--output`, …), by name.
    /// - Throws: `.forbidden` naming them.
    public func checkSparkRunChoices(_ chosen: [String], output: String?, for environment: Environment) throws(EngineError) {
        // Whether the user may run on Spark at all comes first (and its refusal is audited as such).
        try authorize(.runWorkflows, environment, attempt: "spark.run")
        try authorize(.viewPII, environment, attempt: "spark.run")
        if let account = environment.actingAccount, !chosen.isEmpty {
            throw EngineError(
                .forbidden,
                "cdp spark run does not take \(chosen.joined(separator: ", ")) while \(account) acts as \(environment.user): the program, "
                    + "folders and settings would be used as \(account). Run it with the workspace's own settings (cdp.toml), or run cdp as "
                    + "\(environment.user)")
        }
        if let output, !output.contains("://") {
            try ExportFile.checkDestination(output, in: self, for: environment)
        }
    }

    /// Makes a local output folder of a Spark run private to its owner (0700), creating it when absent and
    /// tightening it when it exists: the run writes personal values there unmasked, and the workspace keeps
    /// `lake/` and `inbox/` private for the same reason. Object storage (`s3a://…`, `abfss://…`) is left to its
    /// own access control.
    /// - Throws: `EngineError.workspace` when the folder cannot be created or made private.
    public static func keepSparkOutputPrivate(_ location: String) throws(EngineError) {
        let folder: URL
        if location.hasPrefix("file:") {
            guard let url = URL(string: location), url.isFileURL else { return }
            folder = url
        } else if location.contains("://") {
            return
        } else {
            folder = URL(fileURLWithPath: location)
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.path)
        } catch {
            throw EngineError(
                .workspace,
                "cannot make \(folder.path) private to its owner (0700), where the Spark run would write personal values: "
                    + "\(error.localizedDescription); choose an output folder you own (--output)")
        }
    }
}
