import CDPCore
import CDPEngine
import Foundation
import TermUI

/// The steward console: tabs of screens over one workspace, drawn on any ``TerminalBackend``.
///
/// ```swift
/// let app = ConsoleApp(workspace: workspace, environment: .live(user: "ann"), theme: .dark, backend: backend)
/// try app.run()            // the event loop, until q or Ctrl-C
/// ```
/// Tests and the benchmark drive it headless with ``handle(_:)``, ``render(into:)`` and ``drainEvents()``.
public final class ConsoleApp {
    public let workspace: Workspace
    public let environment: Environment
    /// Who the steward is under `governance/access.toml`; shown in the status bar.
    public let principal: Principal
    /// Every screen's reads of the lake, masked for the principal; follows the data dictionary's tags,
    /// so it is rebuilt after a dictionary edit and on reload.
    public private(set) var reader: LakeReader
    /// How personal values the steward typed are echoed back (the reader masks everything it reads).
    public var masker: PIIMasker { reader.masker }
    public private(set) var theme: Theme
    public let terminal: Terminal
    /// Where `T` looks for more themes; nil uses the built-in ones only.
    public let themesFolder: URL?
    /// Where the theme chosen with `T` is remembered for the next session; nil remembers nothing.
    public let settingsFile: URL?

    /// The smallest size the console draws its screens at.
    public static let minimumSize = Size(width: 80, height: 24)

    /// The last result or error, shown in the status bar; every one is kept in ``messageLog``.
    public internal(set) var message: StatusMessage? {
        didSet {
            guard let message else { return }
            messageSerial += 1
            messageLog.append(LoggedMessage(at: environment.timestamp, message: message))
            if messageLog.count > Self.messageLogLimit { messageLog.removeFirst(messageLog.count - Self.messageLogLimit) }
        }
    }

    /// A status-line message and when it was shown.
    public struct LoggedMessage: Sendable, Hashable {
        public var at: String
        public var message: StatusMessage
    }

    /// This session's messages, oldest first (Ctrl-P shows them).
    public private(set) var messageLog: [LoggedMessage] = []
    static let messageLogLimit = 500
    /// Counts messages set, so an action that changes screens can tell whether it said something itself.
    private var messageSerial = 0
    /// True after quit.
    public private(set) var isFinished = false

    /// The index in ``tabs`` of the tab shown.
    public private(set) var tab = 0
    var stacks: [[any ConsoleScreen]] = []

    // Overlays.
    var showingHelp = false
    var prompt: Prompt?
    var modal: ModalState?

    /// Last steward actions, newest last, for `u`.
    var undoStack: [UndoEntry] = []
    /// The last single-record fix, for "fix all like this".
    var lastFixTemplate: FixTemplate?
    /// Bumped whenever the console changed records, so screens know to re-read the lake.
    var dataGeneration = 0

    let background = BackgroundRuns()
    /// Whether clicks and the wheel are taken (`cdp console --no-mouse` turns them off; the keyboard always works).
    public var usesMouse = true
    /// The tab bar as last drawn, for clicks on it.
    private var lastTabs: (tabs: Tabs, area: Rect)?
    /// Called on a bulk preview's thread before it starts working (tests hold it there to stop it at a known point).
    var bulkJobGate: (@Sendable () -> Void)?
    private var lastTick = Date.distantPast
    private var lastRunText = ""
    private var lastRunCheck = Date.distantPast
    /// The status bar's last run, read in the background every 2 s.
    private let lastRun = BackgroundRefresh<RunSummary?>()
    /// Where the last look at what other sessions changed left off (``LakeWatch``); nil until a look succeeded.
    private var watchMark: AuditEntryID?
    /// The look under way, on a background thread; started every ``watchInterval``.
    private var watching: BackgroundRead<LakeWatch.Change, EngineError>?
    private var lastWatch = Date.distantPast
    /// Whether the last look failed (said once on the status line, not at every look).
    private var watchFailed = false
    /// Looks at what other stewards changed so far, and how many of them found something (tests and the benchmark).
    public private(set) var watchLooks = 0
    public private(set) var watchChanges = 0

    /// What SQLite may keep in memory in the console's process (page caches of all connections).
    public static let sqliteMemoryLimit = 24 << 20

    /// Refresh cadence of live screens.
    public static let tickInterval: TimeInterval = 0.25

    /// How often the console asks the lake what other sessions changed: twice a second, so another steward's claim
    /// or decision shows within a second.
    public static let watchInterval: TimeInterval = 0.5

    public init(
        workspace: Workspace, environment: Environment, theme: Theme = .dark, backend: any TerminalBackend, themesFolder: URL? = nil,
        settingsFile: URL? = nil
    ) {
        self.workspace = workspace
        self.environment = environment
        principal = workspace.principal(environment)
        reader = workspace.reader(for: environment)
        self.theme = theme
        self.terminal = Terminal(backend: backend)
        self.themesFolder = themesFolder
        self.settingsFile = settingsFile
        workspace.limitSQLiteMemory(bytes: Self.sqliteMemoryLimit)
        // The mark first: what others change from here on is followed; what the screens read next is already seen.
        watchMark = try? LakeWatch(workspace: workspace).changes(after: nil).mark
        stacks = Self.tabs.map { [$0.makeRoot(self)] }
        current.activate(app: self)
    }

    var current: any ConsoleScreen { stacks[tab][stacks[tab].count - 1] }

    var service: QuarantineService { QuarantineService(workspace: workspace, environment: environment) }

    /// The remediation service acting on records someone else holds, after the steward confirmed.
    func service(takingOverHolds: Bool) -> QuarantineService {
        QuarantineService(workspace: workspace, environment: environment, takingOverHolds: takingOverHolds)
    }

    var dictionary: DictionaryService { DictionaryService(workspace: workspace, environment: environment) }

    /// Re-reads which columns are personal (after the dictionary changed); screens read again with it.
    func refreshMasker() {
        reader = workspace.reader(for: environment)
        dataGeneration += 1
    }

    // MARK: - Event loop

    /// Runs until `q` at the top level or Ctrl-C: polls input with a short timeout so live screens
    /// refresh four times a second without blocking keys, and draws only when something changed.
    public func run() throws {
        draw()
        while !isFinished {
            var dirty = false
            if let event = terminal.backend.pollEvent(timeoutMilliseconds: 50) {
                handle(event)
                dirty = true
                // Take whatever else is queued (a paste, key repeat) before drawing once.
                var drained = 0
                while drained < 64, !isFinished, let more = terminal.backend.pollEvent(timeoutMilliseconds: 0) {
                    handle(more)
                    drained += 1
                }
            }
            if Date().timeIntervalSince(lastTick) >= Self.tickInterval {
                if tick() { dirty = true }
            } else if takeFinishedLook() {
                dirty = true
            }
            if dirty && !isFinished { draw() }
        }
    }

    /// Handles every queued event (without waiting), then draws once. For tests and the benchmark.
    /// - Parameter settle: first wait for reads running in the background (tests that assert on figures).
    @discardableResult
    public func drainEvents(maxEvents: Int = 10_000, settle: Bool = false) -> Int {
        var count = 0
        while count < maxEvents, !isFinished, let event = terminal.backend.pollEvent(timeoutMilliseconds: 0) {
            handle(event)
            count += 1
        }
        if settle { waitForBackgroundReads() }
        draw()
        return count
    }

    /// Waits for reads running in the background (the dashboard's figures) so the next frame shows
    /// them. For tests; the event loop never waits.
    public func waitForBackgroundReads() {
        // Bulk jobs first: when one ends, the screen below re-reads what it shows.
        for stack in stacks {
            for screen in stack {
                (screen as? any BulkJobScreen)?.waitForJob(app: self)
            }
        }
        for stack in stacks {
            for screen in stack {
                if let dashboard = screen as? DashboardScreen {
                    dashboard.waitForRefresh()
                    // Taken now, not at the dashboard's next frame: other screens read its counts (the pickers').
                    _ = dashboard.takeFinishedRefresh()
                }
                (screen as? QuarantineListScreen)?.dataSource?.waitForPendingBase()
                (screen as? QuarantineListScreen)?.dataSource?.waitForSearch()
                (screen as? CustomersScreen)?.waitForSearch()
                (screen as? ReviewQueueScreen)?.session.waitForQueue()
                (screen as? AuditScreen)?.waitForRead()
                (screen as? any BackgroundRefreshing)?.waitForRead()
            }
        }
        if lastRun.isReading {
            lastRun.wait()
            showLastRun()
        }
    }

    /// Runs one refresh tick now (live screens poll the store). Returns whether anything may have changed.
    @discardableResult
    public func tick() -> Bool {
        lastTick = Date()
        var changed = current.tick(app: self)
        // A bulk job goes on when its tab is left: its progress is in the status bar, and its end is taken here.
        for screen in runningJobScreens where screen !== current {
            screen.finishIfDone(self)
            changed = true
        }
        if let finished = background.takeFinished() {
            message = finished
            changed = true
        }
        if let runID = background.takeStartedRun() {
            openRun(runID)
            changed = true
        }
        if Date().timeIntervalSince(lastRunCheck) >= 2 {
            refreshLastRun()
            changed = true
        }
        if followLakeChanges() { changed = true }
        return changed
    }

    /// Takes the last look at what other sessions changed, if it is done, and starts the next when due (never
    /// waits). Returns whether the screen shown re-read something.
    private func followLakeChanges() -> Bool {
        var followed = false
        if let look = watching, let result = look.result {
            watching = nil
            watchLooks += 1
            switch result {
            case .success(let change):
                let first = watchMark == nil
                watchMark = change.mark
                if watchFailed {
                    watchFailed = false
                    message = StatusMessage("following other stewards' changes again")
                }
                if !first, !change.areas.isEmpty {
                    lakeChanged(change.areas)
                    followed = true
                }
            case .failure(let error):
                if !watchFailed {
                    watchFailed = true
                    message = StatusMessage(
                        "cannot see other stewards' changes (\(Self.describe(error))); trying again, Ctrl-R reloads by hand",
                        severity: .warning)
                    followed = true
                }
            }
        }
        if watching == nil, Date().timeIntervalSince(lastWatch) >= Self.watchInterval {
            lastWatch = Date()
            let watch = LakeWatch(workspace: workspace)
            let mark = watchMark
            watching = BackgroundRead { () throws(EngineError) in try watch.changes(after: mark) }
        }
        return followed
    }

    /// Follows another session's change as soon as the look that found it is done, between ticks (the event loop
    /// asks after every wait for a key, so a change shows up to a tick sooner). Returns whether the screen re-read.
    func takeFinishedLook() -> Bool {
        guard watching?.result != nil else { return false }
        return followLakeChanges()
    }

    /// Another session changed `areas`: every screen re-reads them when next shown, the one shown now at once.
    func lakeChanged(_ areas: Set<LakeWatch.Area>) {
        watchChanges += 1
        if areas.contains(.dictionary) {
            // Tags may have changed what is masked: the screen shown reads again at once with the new masker (as
            // `:reload` does), so a value tagged personal meanwhile does not stay on screen until it is left.
            refreshMasker()
            current.activate(app: self)
        } else {
            dataGeneration += 1
        }
        current.followLakeChange(areas, app: self)
    }

    /// Waits for the look under way at what other sessions changed and takes it, as a tick would (tests).
    public func waitForLakeWatch() {
        // The look under way may have started before the change: take it, and one started after.
        for _ in 0..<2 {
            lastWatch = .distantPast
            _ = followLakeChanges()
            _ = watching?.wait()
        }
        _ = followLakeChanges()
    }

    /// Draws the current state on the terminal.
    @discardableResult
    public func draw() -> Buffer {
        terminal.draw { frame in self.render(into: &frame) }
    }

    // MARK: - Input

    /// Handles one input event.
    public func handle(_ event: InputEvent) {
        switch event {
        case .resize:
            terminal.invalidate()
        case .mouse(let mouse):
            handle(mouse)
        case .key(let key):
            handle(key)
        }
    }

    /// The wheel scrolls the list; a left click on a tab shows it, on a row selects it. Ignored while a dialog, a
    /// prompt or the help is open (the keyboard answers those), and when the mouse is turned off.
    private func handle(_ mouse: MouseEvent) {
        guard usesMouse, modal == nil, prompt == nil, !showingHelp else { return }
        switch mouse.kind {
        case .scrollDown: _ = dispatch("down")
        case .scrollUp: _ = dispatch("up")
        case .press(.left):
            if let (tabs, area) = lastTabs, area.contains(x: mouse.x, y: mouse.y) {
                if let index = tabs.index(atX: mouse.x, in: area) { _ = dispatch(Self.tabs[index].action) }
                return
            }
            _ = current.click(at: mouse.position, app: self)
        case .press, .release: break
        }
    }

    private func handle(_ key: KeyEvent) {
        if key.ctrl && key.key == .char("c") {
            quit()
            return
        }
        let size = terminal.size
        if size.width < Self.minimumSize.width || size.height < Self.minimumSize.height {
            if key == .char("q") { quit() }
            return
        }
        if showingHelp {
            showingHelp = false
            return
        }
        if modal != nil {
            handleModal(key)
            return
        }
        if prompt != nil {
            handlePrompt(key)
            return
        }
        if current.capturesInput, current.handleCapturedKey(key, app: self) { return }
        // Esc backs out of a screen but never quits; only q (and Ctrl-C) does at the top.
        if key == KeyEvent(.escape), stacks[tab].count == 1, !current.actions.contains(where: { $0.keys.contains(key) }) { return }
        if let action = current.actions.action(for: key) ?? columnActions.action(for: key) ?? globalActions.action(for: key) {
            _ = dispatch(action.name)
        }
    }

    /// Runs an action by its long name, as a key or the palette would. Returns whether it exists here.
    @discardableResult
    public func dispatch(_ name: String) -> Bool {
        // A message belongs to the screen it was said on: one left from before is cleared when the action
        // shows another screen (unless the action said something itself).
        let screenBefore = ObjectIdentifier(current)
        let serialBefore = messageSerial
        defer {
            if ObjectIdentifier(current) != screenBefore, messageSerial == serialBefore { message = nil }
        }
        if current.perform(name, app: self) { return true }
        if columnActions.contains(where: { $0.name == name }), let table = current as? any TableScreen {
            // The columns shown are the table's as last drawn: a key typed ahead of the screen's first frame draws it first.
            if table.state.shownColumnIDs.isEmpty { draw() }
            var state = table.state
            if let said = ColumnActions.apply(name, to: &state) {
                table.state = state
                if !said.isEmpty { message = StatusMessage(said, severity: .warning) }
                return true
            }
        }
        switch name {
        case _ where Self.tabs.contains(where: { $0.action == name }): switchTab(Self.tabIndex(name))
        case "help": showingHelp = true
        case "messages": push(MessageLogScreen())
        case "palette": prompt = Prompt(kind: .palette)
        case "filter":
            guard current.filterText != nil else {
                message = StatusMessage("this screen has no table to filter", severity: .warning)
                return true
            }
            prompt = Prompt(kind: .filter, text: current.filterText ?? "")
            if !current.filtersAsYouType(app: self) {
                message = StatusMessage("Enter searches (each is audited)")
            }
        case "theme-next": cycleTheme()
        case "back": back()
        case "quit": quit()
        case "start-run": startRun()
        case "reload":
            dataGeneration += 1
            refreshMasker()
            current.activate(app: self)
            message = StatusMessage("reloaded")
        default:
            return false
        }
        return true
    }

    /// Actions available on every screen.
    var globalActions: [ConsoleAction] {
        Self.tabActions + [
            ConsoleAction("palette", keys: [.char(":")], help: "Command palette", group: "General"),
            ConsoleAction("help", keys: [.char("?")], help: "Keys of this screen", group: "General"),
            ConsoleAction("start-run", keys: [.char("R")], help: "Start a pipeline run", group: "General"),
            ConsoleAction("theme-next", keys: [.char("T")], help: "Next theme", group: "General"),
            ConsoleAction("reload", keys: [.ctrl("r")], help: "Reload from the lake", group: "General"),
            ConsoleAction("messages", keys: [.ctrl("p")], help: "Messages of this session", group: "General"),
            ConsoleAction("back", keys: [.char("q"), KeyEvent(.escape)], help: "Back (q quits at the top)", group: "General"),
            ConsoleAction("quit", keys: [.ctrl("c")], help: "Quit", group: "General"),
        ]
    }

    /// Every action of the current screen, then the global ones.
    var allActions: [ConsoleAction] {
        var seen = Set<String>()
        return (current.actions + columnActions + globalActions).filter { seen.insert($0.name).inserted }
    }

    /// The column keys of a list (``ColumnActions``) that the screen does not bind itself.
    var columnActions: [ConsoleAction] {
        guard current is any TableScreen else { return [] }
        let own = current.actions
        return ColumnActions.list.filter { action in
            !own.contains { $0.name == action.name || $0.keys.contains { action.keys.contains($0) } }
        }
    }

    /// Long names the palette completes over.
    public var actionNames: [String] { allActions.map(\.name) }

    func switchTab(_ index: Int) {
        guard index != tab else {
            current.activate(app: self)
            return
        }
        tab = index
        current.activate(app: self)
    }

    func push(_ screen: any ConsoleScreen) {
        stacks[tab].append(screen)
        screen.activate(app: self)
    }

    /// The screens whose bulk job runs, on any tab.
    var runningJobScreens: [any BulkJobScreen] {
        stacks.joined().compactMap { $0 as? any BulkJobScreen }.filter(\.isRunning)
    }

    /// Takes `screen` away: back from it when it shows, else out of the stack it is on (a bulk job that ended while
    /// its tab was not shown leaves no finished preview behind to apply again).
    func dismiss(_ screen: any ConsoleScreen) {
        if current === screen {
            back()
            return
        }
        for index in stacks.indices where stacks[index].count > 1 {
            stacks[index].removeAll { $0 === screen }
        }
    }

    func back() {
        if stacks[tab].count > 1 {
            stacks[tab].removeLast()
            current.activate(app: self)
        } else {
            quit()
        }
    }

    /// Ends the session, releasing the steward's claims (assignments stay): a claim says "on it now".
    public func quit() {
        guard !isFinished else { return }
        isFinished = true
        do {
            try WorkAssignments(workspace: workspace, environment: environment).releaseClaims()
        } catch {
            report(error)
        }
    }

    func cycleTheme() {
        let names = Theme.availableThemes(in: themesFolder)
        let index = names.firstIndex(of: theme.name) ?? -1
        let next = names[(index + 1) % names.count]
        do {
            if let themesFolder, FileManager.default.fileExists(atPath: themesFolder.appendingPathComponent("\(next).toml").path) {
                theme = try Theme.load(named: next, from: themesFolder)
            } else if let builtIn = Theme.builtIn(named: next) {
                theme = builtIn
            }
            message = StatusMessage("theme \(theme.name)")
        } catch {
            message = StatusMessage(error.description, severity: .error)
            return
        }
        rememberTheme()
    }

    /// Keeps the theme for the next session; a file that cannot be written is said, not fatal.
    private func rememberTheme() {
        guard let settingsFile else { return }
        do {
            var settings = (try? ConsoleSettings.load(from: settingsFile)) ?? ConsoleSettings()
            settings.theme = theme.name
            try settings.save(to: settingsFile)
        } catch {
            message = StatusMessage("theme \(theme.name) (not remembered: \(error.description))", severity: .warning)
        }
    }

    /// The theme a session starts with: `NO_COLOR` gives mono, else the one asked for (`--theme`), else the
    /// one remembered in `settingsFile`, else dark. A remembered theme that is gone falls back to dark, saying so.
    /// - Returns: the theme, and a note for the status line when the remembered one could not be used.
    /// - Throws: ``ThemeError`` when the theme asked for exists nowhere or its file is invalid.
    public static func startingTheme(
        requested: String?, themesFolder: URL?, settingsFile: URL?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ThemeError) -> (theme: Theme, note: String?) {
        if requested != nil { return (try Theme.resolve(named: requested, themesFolder: themesFolder, environment: environment), nil) }
        guard let settingsFile else { return (try Theme.resolve(named: nil, themesFolder: themesFolder, environment: environment), nil) }
        let settings: ConsoleSettings
        do {
            settings = try ConsoleSettings.load(from: settingsFile)
        } catch {
            return (try Theme.resolve(named: nil, themesFolder: themesFolder, environment: environment), error.description)
        }
        do {
            return (try Theme.resolve(named: settings.theme, themesFolder: themesFolder, environment: environment), nil)
        } catch {
            let fallback = try Theme.resolve(named: nil, themesFolder: themesFolder, environment: environment)
            return (fallback, "the remembered theme is not available (\(error.description)); using \(fallback.name)")
        }
    }

    /// Shows `text` on the status line (the launcher's note on how the session started).
    public func say(_ text: String, severity: Severity = .info) {
        message = StatusMessage(text, severity: severity)
    }

    /// Shows `error` on the status line.
    func report(_ error: any Error) {
        message = StatusMessage(Self.describe(error), severity: .error)
    }

    static func describe(_ error: any Error) -> String {
        if let engine = error as? EngineError { return engine.message + (engine.details.isEmpty ? "" : ": " + engine.details.joined(separator: "; ")) }
        return String(describing: error)
    }

    // MARK: - Runs

    func startRun() {
        if background.isRunning {
            message = StatusMessage("a run started from the console is still going", severity: .warning)
            return
        }
        do {
            let plan = try workspace.workflow()
            background.start(workspace: workspace, environment: environment, plan: plan)
            message = StatusMessage("run started in the background")
            tab = Self.tabIndex("runs")
        } catch {
            report(error)
        }
    }

    /// Repairs run `id` in the background: its failed and skipped tasks rerun in the same run record.
    func repairRun(_ id: RunID) {
        if background.isRunning {
            message = StatusMessage("a run started from the console is still going", severity: .warning)
            return
        }
        background.repair(workspace: workspace, environment: environment, run: id)
        message = StatusMessage("repairing \(id) in the background")
    }

    func openRun(_ id: RunID) {
        tab = Self.tabIndex("runs")
        if let top = stacks[tab].last as? RunDetailScreen, top.runID == id { return }
        stacks[tab] = [stacks[tab][0], RunDetailScreen(runID: id)]
        current.activate(app: self)
    }

    /// Starts reading the last run for the status bar in the background.
    func refreshLastRun() {
        lastRunCheck = Date()
        let reader = self.reader
        lastRun.start { () throws(EngineError) in try reader.runs(limit: 1).first }
    }

    /// Takes the last run's read once done; the first frame waits for it (there is nothing to show before).
    private func takeLastRun() {
        if lastRunText.isEmpty {
            if !lastRun.isReading { refreshLastRun() }
            lastRun.wait()
            showLastRun()
        } else if lastRun.take() {
            showLastRun()
        }
    }

    private func showLastRun() {
        if let run = lastRun.value ?? nil {
            lastRunText = "\(run.id) \(run.state.rawValue) \(TimeText.short(run.startedAt))"
        } else {
            lastRunText = "no runs yet"
        }
    }

    // MARK: - Rendering

    /// Renders the whole console into `frame`.
    public func render(into frame: inout Frame) {
        let area = frame.area
        frame.buffer.setStyle(area: area, theme[.background])
        if area.width < Self.minimumSize.width || area.height < Self.minimumSize.height {
            renderTooSmall(in: area, frame: &frame)
            return
        }
        takeLastRun()
        let rows = area.splitVertically([.length(1), .fill(1), .length(1), .length(1)])
        renderTabs(in: rows[0], frame: &frame)
        let screen = current
        screen.willRender(app: self)
        let block = Block(
            borders: .all, borderSet: .rounded, borderStyle: theme[.muted],
            title: Line(screen.title, style: theme[.header]),
            titleRight: screen.filterText.flatMap { $0.isEmpty ? nil : Line("/\($0)", style: theme[.accent]) })
        frame.render(block, in: rows[1])
        screen.render(in: block.inner(rows[1]), frame: &frame, app: self)
        renderHints(in: rows[2], frame: &frame)
        renderStatus(in: rows[3], frame: &frame)
        if let prompt { renderPrompt(prompt, in: rows[2], body: rows[1], frame: &frame) }
        if let modal { renderModal(modal, in: rows[1], frame: &frame) }
        if showingHelp {
            let overlay = HelpOverlay(
                title: "Keys · \(screen.title)", groups: allActions.helpGroups(), style: theme[.text].patched(with: theme[.background]),
                borderStyle: theme[.accent], groupTitleStyle: theme[.header], keyStyle: theme[.accent], footer: "any key closes")
            frame.render(overlay, in: area)
        }
    }

    private func renderTooSmall(in area: Rect, frame: inout Frame) {
        let text = "terminal too small (need \(Self.minimumSize.width)×\(Self.minimumSize.height), have \(area.width)×\(area.height))"
        let lines = [Line(text, style: theme[.warning]), Line("enlarge the window, or press q to quit", style: theme[.muted])]
        let box = area.centered(width: area.width, height: 2)
        frame.render(Paragraph(lines: lines, wrap: true, alignment: .center), in: box)
    }

    private func renderTabs(in area: Rect, frame: inout Frame) {
        // Full titles with the workspace name when they fit, else short titles over the whole row.
        let right = "cdp · \(workspace.configuration.name)"
        let full = Self.tabs.enumerated().map { "\($0.offset + 1) \($0.element.title)" }
        let fullWidth = full.reduce(0) { $0 + $1.count + 3 }
        let titles: [String]
        var titleArea = area
        if fullWidth + right.count + 2 <= area.width {
            titles = full
            let split = area.splitHorizontally([.fill(1), .length(right.count + 1)])
            titleArea = split[0]
            frame.buffer.setLine(Line(right, style: theme[.accent], alignment: .right), in: split[1], alignment: .right)
        } else if fullWidth <= area.width {
            titles = full
        } else {
            titles = Self.tabs.enumerated().map { "\($0.offset + 1) \($0.element.shortTitle)" }
        }
        let tabs = Tabs(
            titles: titles.map { Line($0) }, selected: tab, divider: "│", style: theme[.muted],
            selectedStyle: theme[.selection])
        frame.render(tabs, in: titleArea)
        lastTabs = (tabs, titleArea)
    }

    private func renderHints(in area: Rect, frame: inout Frame) {
        var spans: [Span] = []
        let own = current.actions.filter { $0.group != "Navigation" } + current.actions.filter { $0.group == "Navigation" && $0.name == "filter" }
        let general = ["help", "palette"].compactMap { name in globalActions.first { $0.name == name } }
        // `? help` and `: palette` always show: the screen's own hints give way from the last one.
        func width(_ action: ConsoleAction) -> Int { (action.keys.first?.description.count ?? 0) + 1 + action.name.count + 2 }
        // Hints are two spaces apart; the last needs none after it.
        var used = general.reduce(0) { $0 + width($1) } - 2
        var shown: [ConsoleAction] = []
        for action in own.prefix(9) {
            guard used + width(action) <= area.width else { break }
            used += width(action)
            shown.append(action)
        }
        for action in shown + general {
            if !spans.isEmpty { spans.append(Span("  ", style: theme[.muted])) }
            spans.append(Span(action.keys.first?.description ?? "", style: theme[.accent]))
            spans.append(Span(" \(action.name)", style: theme[.muted]))
        }
        frame.buffer.setLine(x: area.x, y: area.y, Line(spans: spans).truncated(to: area.width))
    }

    private func renderStatus(in area: Rect, frame: inout Frame) {
        let styles: [Severity: Style] = [
            .info: theme[.text], .success: theme[.success], .warning: theme[.warning], .error: theme[.error],
        ]
        var right = "last run \(lastRunText)"
        if background.isRunning { right = "⟳ running · " + right }
        // A job on a screen not shown (its own screen draws a progress bar).
        if let job = runningJobScreens.first(where: { $0 !== current })?.progressLine { right = "⟳ \(job) · " + right }
        let bar = StatusBar(
            left: Line("\(workspace.configuration.name) · \(principal)" + (masker.isActive ? " · PII masked" : "")),
            center: Line(""), right: Line(right), message: message,
            style: theme[.header].patched(with: theme[.selection]).removing(.bold), messageStyles: styles)
        frame.render(bar, in: area)
    }
}
