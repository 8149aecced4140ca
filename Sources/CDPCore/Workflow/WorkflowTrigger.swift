/// What starts a workflow's runs besides a schedule (Databricks' `trigger`): today the arrival of files in a
/// folder, `{"file_arrival": {"url": "inbox/marketing/", "min_time_between_triggers_seconds": 60,
/// "wait_after_last_change_seconds": 30}}`.
public struct WorkflowTrigger: Hashable, Codable, Sendable {
    public var pauseStatus: WorkflowSchedule.PauseStatus
    public var fileArrival: FileArrivalTrigger?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case pauseStatus = "pause_status"
        case fileArrival = "file_arrival"
    }

    /// The settings a trigger may give, as written in JSON.
    public static var settingNames: [String] { CodingKeys.allCases.map(\.rawValue) }

    public init(fileArrival: FileArrivalTrigger?, pauseStatus: WorkflowSchedule.PauseStatus = .unpaused) {
        self.fileArrival = fileArrival
        self.pauseStatus = pauseStatus
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        pauseStatus = try container.decodeIfPresent(WorkflowSchedule.PauseStatus.self, forKey: .pauseStatus) ?? .unpaused
        fileArrival = try container.decodeIfPresent(FileArrivalTrigger.self, forKey: .fileArrival)
    }
}

/// Start a run when new files have arrived in a folder of the workspace and stopped changing.
public struct FileArrivalTrigger: Hashable, Codable, Sendable {
    /// The folder watched, relative to the workspace (`inbox/marketing/`); its subfolders are watched too.
    public var url: String
    /// At least this long between two runs it starts; nil: no minimum.
    public var minTimeBetweenTriggersSeconds: Int?
    /// A file counts once it has not changed for this long; nil: as soon as it is seen unchanged.
    public var waitAfterLastChangeSeconds: Int?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case url
        case minTimeBetweenTriggersSeconds = "min_time_between_triggers_seconds"
        case waitAfterLastChangeSeconds = "wait_after_last_change_seconds"
    }

    /// The settings a `file_arrival` may give, as written in JSON.
    public static var settingNames: [String] { CodingKeys.allCases.map(\.rawValue) }

    public init(url: String, minTimeBetweenTriggersSeconds: Int? = nil, waitAfterLastChangeSeconds: Int? = nil) {
        self.url = url
        self.minTimeBetweenTriggersSeconds = minTimeBetweenTriggersSeconds
        self.waitAfterLastChangeSeconds = waitAfterLastChangeSeconds
    }
}

/// A file arrival trigger read and checked.
public struct PlannedFileArrival: Hashable, Sendable {
    /// The folder, relative to the workspace, without a trailing `/` (`inbox/marketing`).
    public let folder: String
    public let minTimeBetweenTriggers: Double
    public let waitAfterLastChange: Double
    /// `pause_status` as the file gives it (`cdp schedule pause/resume` can override it).
    public let pausedInFile: Bool

    /// Reads a trigger; every problem names its setting (`trigger.file_arrival.url`).
    public static func read(_ trigger: WorkflowTrigger) -> (trigger: PlannedFileArrival?, issues: [ConfigurationIssue]) {
        guard let arrival = trigger.fileArrival else {
            return (
                nil,
                [
                    ConfigurationIssue(
                        "trigger.file_arrival", "is missing; cdp starts runs on file arrival only (give {\"url\": \"inbox/…/\"})")
                ]
            )
        }
        var issues: [ConfigurationIssue] = []
        let url = arrival.url
        let parts = url.split(separator: "/", omittingEmptySubsequences: true)
        if url.hasPrefix("/") || url.contains("://") {
            issues.append(
                ConfigurationIssue(
                    "trigger.file_arrival.url",
                    "'\(url)' is not a folder of the workspace; give one relative to it, such as inbox/marketing/"))
        } else if parts.isEmpty || parts.contains("..") || parts.contains(".") {
            issues.append(
                ConfigurationIssue(
                    "trigger.file_arrival.url",
                    "'\(url)' must name a folder inside the workspace without '.' or '..', such as inbox/marketing/"))
        }
        for (name, value) in [
            ("min_time_between_triggers_seconds", arrival.minTimeBetweenTriggersSeconds),
            ("wait_after_last_change_seconds", arrival.waitAfterLastChangeSeconds),
        ] {
            if let value, value < 0 {
                issues.append(ConfigurationIssue("trigger.file_arrival.\(name)", "must not be negative, found \(value)"))
            }
        }
        guard issues.isEmpty else { return (nil, issues) }
        return (
            PlannedFileArrival(
                folder: parts.joined(separator: "/"), minTimeBetweenTriggers: Double(arrival.minTimeBetweenTriggersSeconds ?? 0),
                waitAfterLastChange: Double(arrival.waitAfterLastChangeSeconds ?? 0), pausedInFile: trigger.pauseStatus == .paused),
            []
        )
    }

    public init(folder: String, minTimeBetweenTriggers: Double, waitAfterLastChange: Double, pausedInFile: Bool) {
        self.folder = folder
        self.minTimeBetweenTriggers = minTimeBetweenTriggers
        self.waitAfterLastChange = waitAfterLastChange
        self.pausedInFile = pausedInFile
    }
}
