import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Wakes a waiting service early when a file is created, finished or moved into a watched folder (Linux
/// inotify), so `cdp scheduler` notices an arrival at once instead of at its next poll. Where inotify is not
/// available, or a folder cannot be watched, waiting is plain sleeping and the poll finds the file.
///
/// It only shortens waits: what arrived is always decided by looking at the folder (``Scheduler``), so a
/// missed or spurious wake changes nothing but timing.
public final class FolderWatcher {
    #if os(Linux)
        private let descriptor: Int32
        private var watched: [String: Int32] = [:]
    #endif

    public init() {
        #if os(Linux)
            descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        #endif
    }

    deinit {
        #if os(Linux)
            if descriptor >= 0 { close(descriptor) }
        #endif
    }

    /// Whether waits can end early (inotify is available).
    public var isActive: Bool {
        #if os(Linux)
            return descriptor >= 0
        #else
            return false
        #endif
    }

    /// Watches `folders` and the folders below them (one level of a folder tree per call: a subfolder made
    /// later is watched from the next call). Folders that do not exist yet are tried again at the next call.
    public func watch(_ folders: [URL]) {
        #if os(Linux)
            guard descriptor >= 0 else { return }
            var queue = folders.map(\.path)
            var seen: Set<String> = []
            while let path = queue.popLast(), seen.insert(path).inserted {
                if watched[path] == nil {
                    let mask = UInt32(IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_TO)
                    let handle = inotify_add_watch(descriptor, path, mask)
                    if handle >= 0 { watched[path] = handle }
                }
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                for name in names where !name.hasPrefix(".") {
                    var status = stat()
                    if lstat("\(path)/\(name)", &status) == 0, status.st_mode & S_IFMT == S_IFDIR { queue.append("\(path)/\(name)") }
                }
            }
        #endif
    }

    /// Waits up to `seconds`, returning early (true) when something arrived in a watched folder.
    @discardableResult
    public func wait(upTo seconds: Double) -> Bool {
        #if os(Linux)
            guard descriptor >= 0, !watched.isEmpty else {
                Thread.sleep(forTimeInterval: max(0, seconds))
                return false
            }
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, Int32(max(0, min(seconds, 86_400)) * 1000))
            guard ready > 0 else { return false }
            // Drain what is queued: the events themselves do not matter, only that something happened.
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while read(descriptor, &buffer, buffer.count) > 0 {}
            return true
        #else
            Thread.sleep(forTimeInterval: max(0, seconds))
            return false
        #endif
    }
}
