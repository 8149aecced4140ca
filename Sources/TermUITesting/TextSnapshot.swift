import Foundation
import Testing

/// Compares `text` with the snapshot `__Snapshots__/NAME.txt` in the folder of the calling test file.
///
/// With `CDP_RECORD_SNAPSHOTS=1` in the environment the snapshot is (re)written and the test is
/// not failed. Otherwise a missing snapshot or a mismatch records an issue; a mismatch shows a
/// line diff (see ``lineDiff(expected:actual:)``).
public func assertTextSnapshot(
    _ text: String, named name: String, filePath: String = #filePath, sourceLocation: SourceLocation = #_sourceLocation
) {
    let directory = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("__Snapshots__")
    let result = TextSnapshot.check(
        text, named: name, directory: directory,
        record: ProcessInfo.processInfo.environment["CDP_RECORD_SNAPSHOTS"] == "1")
    switch result {
    case .matched:
        break
    case .recorded(let path):
        print("Recorded text snapshot \(path)")
    case .failed(let message):
        Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
    }
}

/// The file-level mechanics of text snapshots, separate from Swift Testing so they can be tested.
public enum TextSnapshot {
    public enum Outcome: Equatable, Sendable {
        case matched
        case recorded(path: String)
        case failed(message: String)
    }

    /// Compares `text` with `directory/NAME.txt`, or writes it there when `record` is set.
    public static func check(_ text: String, named name: String, directory: URL, record: Bool) -> Outcome {
        let file = directory.appendingPathComponent("\(name).txt")
        let stored = normalised(text)
        if record {
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                try Data(stored.utf8).write(to: file, options: .atomic)
                return .recorded(path: file.path)
            } catch {
                return .failed(message: "Could not record snapshot \(file.path): \(error)")
            }
        }
        guard let data = FileManager.default.contents(atPath: file.path) else {
            return .failed(
                message: "No snapshot \(file.path). Run the test with CDP_RECORD_SNAPSHOTS=1 to record it, then review and commit it.")
        }
        let expected = String(decoding: data, as: UTF8.self)
        if expected == stored { return .matched }
        let diff = lineDiff(expected: expected, actual: stored) ?? "(texts differ only in line endings)"
        return .failed(
            message: "Snapshot \(name) does not match \(file.path):\n\(diff)\nIf the change is intended, re-record with CDP_RECORD_SNAPSHOTS=1.")
    }

    /// Snapshots end with exactly one newline, so editors that add one do not break them.
    static func normalised(_ text: String) -> String {
        var body = Substring(text)
        while body.last == "\n" { body = body.dropLast() }
        return body + "\n"
    }
}

/// A readable diff of two texts line by line, or nil when they are equal.
///
/// Each differing line is shown as a pair with its 1-based line number:
/// ```
/// line 3:
///   expected: │Name   Email│
///   actual:   │Name   E-mail│
/// ```
/// Lines are compared by position (screens keep their row numbers), which is what screen
/// snapshots need; a missing line shows as `<no line>`.
public func lineDiff(expected: String, actual: String) -> String? {
    let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
    var report: [String] = []
    for index in 0..<max(expectedLines.count, actualLines.count) {
        let e = index < expectedLines.count ? "│\(expectedLines[index])│" : "<no line>"
        let a = index < actualLines.count ? "│\(actualLines[index])│" : "<no line>"
        if e != a {
            report.append("line \(index + 1):\n  expected: \(e)\n  actual:   \(a)")
        }
    }
    return report.isEmpty ? nil : report.joined(separator: "\n")
}
