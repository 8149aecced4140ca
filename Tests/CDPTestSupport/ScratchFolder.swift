import Foundation
import Synchronization

/// Where tests write their workspaces: one folder per test process and prefix under the system's temporary folder,
/// removed when the process exits. A whole `swift test` writes over a gigabyte of workspaces, and a machine whose
/// disk fills up stalls rather than failing cleanly. `CDP_KEEP_TEST_FILES=1` keeps them, to look at after a failure.
public enum ScratchFolder {
    private static let roots = Mutex<[String]>([])

    /// `<temporary folder>/<prefix>-<pid>/<name>-<unique>`: a new, not yet created folder.
    public static func make(_ prefix: String, _ name: String) -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(getpid())")
        roots.withLock { roots in
            guard !roots.contains(root.path) else { return }
            if roots.isEmpty, ProcessInfo.processInfo.environment["CDP_KEEP_TEST_FILES"] != "1" {
                atexit { ScratchFolder.removeAll() }
            }
            roots.append(root.path)
        }
        return root.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8))")
    }

    private static func removeAll() {
        for root in roots.withLock({ $0 }) { try? FileManager.default.removeItem(atPath: root) }
    }
}
