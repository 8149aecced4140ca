import CDPCore
import Foundation

extension Workspace {
    /// Checks every configuration file a workspace reads, without opening its lake: `cdp.toml`,
    /// `governance/rules.toml`, `governance/access.toml`, `governance/matching.toml` and workflows. Every
    /// problem of every file is reported at once, each with its file, line, column and setting.
    /// - Parameters:
    ///   - path: the workspace folder.
    ///   - workflows: the workflows to check by name; nil checks every `workflows/*.json`.
    /// - Returns: the files checked, relative to the workspace, and the settings read but ignored.
    /// - Throws: `EngineError.workspace` when the folder is not a workspace or a file cannot be read;
    ///   `.invalidConfiguration` listing every problem found.
    @discardableResult
    public static func checkConfiguration(at path: String, workflows: [String]? = nil) throws(EngineError) -> ConfigurationReport {
        let root = URL(fileURLWithPath: path).standardizedFileURL
        guard FileManager.default.fileExists(atPath: root.appendingPathComponent(configurationFileName).path) else {
            throw EngineError(
                .workspace, "\(root.path) is not a workspace (no \(configurationFileName)); create one with `cdp init \(path) --from sample-data`")
        }
        var problems = ConfigurationProblems()
        var checked = [configurationFileName]
        var ignored: [String] = []
        let configuration = try problems.collect { () throws(EngineError) in try loadConfiguration(root: root) }
        if FileManager.default.fileExists(atPath: root.appendingPathComponent(rulesPath).path) { checked.append(rulesPath) }
        _ = try problems.collect { () throws(EngineError) in try loadRules(root: root, sources: configuration?.sources) }
        let access = root.appendingPathComponent(accessPath)
        if FileManager.default.fileExists(atPath: access.path) { checked.append(accessPath) }
        _ = try problems.collect { () throws(EngineError) in try checkAccessFile(root: root) }
        // A workspace without matching.toml uses the shipped default, which is checked by the tests.
        let matching = root.appendingPathComponent(MatchingConfigurationLoader.path)
        if FileManager.default.fileExists(atPath: matching.path) {
            checked.append(MatchingConfigurationLoader.path)
            _ = try problems.collect { () throws(EngineError) in
                try MatchingConfigurationLoader.load(
                    tomlText: readText(matching, label: MatchingConfigurationLoader.path), file: matching.path,
                    attributes: configuration.map(SourceConfiguration.customerAttributes))
            }
        }
        let folder = root.appendingPathComponent(workflowsFolder)
        let names = workflows ?? ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        for name in names {
            let file = try workflowFile(name, in: root)
            guard let data = FileManager.default.contents(atPath: file.path) else {
                let available = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
                throw EngineError(.workspace, "no workflow \(file.path) (available: \(available.isEmpty ? "none" : available.joined(separator: ", ")))")
            }
            checked.append("\(workflowsFolder)/\(file.lastPathComponent)")
            let plan = try problems.collect { () throws(EngineError) in
                try ConfigurationLoader.workflow(jsonData: data, file: file.path, sources: configuration?.sources.map(\.name))
            }
            ignored += plan?.ignoredSettings ?? []
        }
        try problems.check()
        return ConfigurationReport(files: checked, ignoredSettings: ignored)
    }

    /// Checks, as they are on disk now, the configuration files a run reads (`cdp.toml`, rules, access and
    /// matching), so a run is refused before its first task rather than failing halfway. The workflow itself
    /// was checked when it was planned.
    /// - Throws: `EngineError.invalidConfiguration` listing every problem of every file.
    public func checkConfiguration() throws(EngineError) {
        try Self.checkConfiguration(at: root.path, workflows: [])
    }
}

/// What a configuration check found: the files it read and the settings it read but ignored.
public struct ConfigurationReport: Hashable, Sendable {
    /// The files checked, relative to the workspace.
    public var files: [String]
    /// Settings cdp does not run (a Databricks job's clusters, notebook tasks, tags, …), each as
    /// `file:line:column: setting: ignored: why`.
    public var ignoredSettings: [String]
}
