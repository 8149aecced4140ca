import CDPCore
import Foundation

/// Creates workspaces: the default configuration (cdp.toml, governance/rules.toml, workflows/) plus,
/// when given, a folder of source data (its `inbox/` and `truth/`).
public enum WorkspaceInitializer {
    /// The configuration shipped with the engine, as a folder.
    public static var templateFolder: URL? {
        Bundle.module.url(forResource: "WorkspaceTemplate", withExtension: nil)
    }

    /// Creates a workspace at `path`. With `dataFolder`, copies its `inbox/` and `truth/` (and its own
    /// configuration files, if it has them, in place of the defaults).
    /// - Throws: `EngineError.workspace` when `path` already holds a workspace or cannot be written.
    public static func initialize(at path: String, from dataFolder: String? = nil) throws(EngineError) {
        let manager = FileManager.default
        let root = URL(fileURLWithPath: path)
        if manager.fileExists(atPath: root.appendingPathComponent(Workspace.configurationFileName).path) {
            throw EngineError(.workspace, "\(root.path) is already a workspace (it has cdp.toml); choose another folder or remove it")
        }
        guard let template = templateFolder else {
            throw EngineError(.workspace, "the workspace template is missing from this build; rebuild cdp")
        }
        let source = dataFolder.map { URL(fileURLWithPath: $0) }
        if let source, !manager.fileExists(atPath: source.path) {
            throw EngineError(.workspace, "\(source.path) does not exist; point --from at a folder holding inbox/ (e.g. sample-data)")
        }
        do {
            try manager.createDirectory(at: root, withIntermediateDirectories: true)
            for item in [Workspace.configurationFileName, "governance", Workspace.workflowsFolder] {
                let own = source?.appendingPathComponent(item)
                let from = own.flatMap { manager.fileExists(atPath: $0.path) ? $0 : nil } ?? template.appendingPathComponent(item)
                try copy(from, to: root.appendingPathComponent(item))
            }
            if let source {
                for item in ["inbox", "truth"] where manager.fileExists(atPath: source.appendingPathComponent(item).path) {
                    try copy(source.appendingPathComponent(item), to: root.appendingPathComponent(item))
                }
            } else {
                try manager.createDirectory(at: root.appendingPathComponent("inbox"), withIntermediateDirectories: true)
            }
            try manager.createDirectory(at: root.appendingPathComponent("lake/landing"), withIntermediateDirectories: true)
        } catch let error as EngineError {
            throw error
        } catch {
            throw EngineError(.workspace, "cannot create the workspace at \(root.path): \(error.localizedDescription)")
        }
    }

    /// Writes the default configuration files into `folder` (used by `cdp generate`), leaving data alone.
    public static func writeConfiguration(into folder: String) throws(EngineError) {
        guard let template = templateFolder else { throw EngineError(.workspace, "the workspace template is missing from this build") }
        let root = URL(fileURLWithPath: folder)
        do {
            for item in [Workspace.configurationFileName, "governance", Workspace.workflowsFolder] {
                try? FileManager.default.removeItem(at: root.appendingPathComponent(item))
                try copy(template.appendingPathComponent(item), to: root.appendingPathComponent(item))
            }
        } catch {
            throw EngineError(.workspace, "cannot write configuration into \(root.path): \(error.localizedDescription)")
        }
    }

    private static func copy(_ from: URL, to: URL) throws {
        let manager = FileManager.default
        try manager.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
        if manager.fileExists(atPath: to.path) { try manager.removeItem(at: to) }
        try manager.copyItem(at: from, to: to)
    }
}
