import CDPEngine

/// What a screen shows from the lake, read again in the background: the screen keeps showing the last value
/// while the next read runs, and takes the new one before a frame (``take()``), so a key never waits for the
/// lake — not even while a bulk release writes to it. Only a screen shown before its very first read is done
/// waits for that read (``waitForFirst()``): it has nothing to show yet, and keys typed ahead act on its rows.
final class BackgroundRefresh<Value: Sendable> {
    /// The last value read; nil before the first read is done (or when it failed).
    private(set) var value: Value?
    /// Why the last read failed; nil once one succeeds.
    private(set) var failure: EngineError?
    private var read: BackgroundRead<Value, EngineError>?
    /// A read asked for while another was under way (after a change the one under way may not see): it starts
    /// when that one is taken.
    private var next: (@Sendable () throws(EngineError) -> Value)?

    /// Whether a read is under way.
    var isReading: Bool { read != nil }

    /// Starts reading with `body` unless a read is under way.
    func start(_ body: @escaping @Sendable () throws(EngineError) -> Value) {
        guard read == nil else { return }
        read = BackgroundRead(body)
    }

    /// Reads again with `body` after a change: at once, or, when a read is under way (it may have read before the
    /// change), as soon as that one is taken.
    func restart(_ body: @escaping @Sendable () throws(EngineError) -> Value) {
        if read == nil { read = BackgroundRead(body) } else { next = body }
    }

    /// Takes the read once it is done (never waits); returns whether it took one.
    @discardableResult
    func take() -> Bool {
        guard let result = read?.result else { return false }
        store(result)
        return true
    }

    /// Waits for the read under way only when nothing has been read yet, then takes it.
    func waitForFirst() {
        guard value == nil, failure == nil else { return }
        wait()
    }

    /// Waits for the read under way, if any, and takes it (tests, and ``waitForFirst()``).
    func wait() {
        while let read { store(read.wait()) }
    }

    private func store(_ result: Result<Value, EngineError>) {
        read = next.map { BackgroundRead($0) }
        next = nil
        switch result {
        case .success(let new):
            value = new
            failure = nil
        case .failure(let error):
            failure = error
        }
    }
}

/// A screen that shows one background read: it takes the read before each frame and on ticks (never waiting), and
/// tests wait for it through ``waitForRead()``.
protocol BackgroundRefreshing: ConsoleScreen {
    associatedtype Read: Sendable
    var refresh: BackgroundRefresh<Read> { get }
    /// Shows the last read (or why it failed).
    func show()
}

extension BackgroundRefreshing {
    func willRender(app: ConsoleApp) {
        if refresh.take() { show() }
    }

    func tick(app: ConsoleApp) -> Bool {
        guard refresh.take() else { return false }
        show()
        return true
    }

    /// Waits for the read under way and shows it (tests).
    func waitForRead() {
        guard refresh.isReading else { return }
        refresh.wait()
        show()
    }
}
