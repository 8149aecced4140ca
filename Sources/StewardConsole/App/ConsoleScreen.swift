import CDPEngine
import TermUI

/// One screen of the console: its actions (keys, long names, help), how it draws, and how it
/// refreshes. Screens sit on per-tab stacks in ``ConsoleApp``; `q`/Esc pops back.
protocol ConsoleScreen: AnyObject {
    /// Shown in the body's title.
    var title: String { get }
    /// The screen's own actions; the app adds the global ones.
    var actions: [ConsoleAction] { get }
    /// Runs the action with this long name; false when the screen does not know it.
    func perform(_ action: String, app: ConsoleApp) -> Bool
    /// Runs an action given with an argument in the palette (`:rule email_format`); false when it takes none.
    func perform(_ action: String, argument: String, app: ConsoleApp) -> Bool
    /// While true every key goes to ``handleCapturedKey(_:app:)`` first (a form being edited).
    var capturesInput: Bool { get }
    /// A key while ``capturesInput`` is set; false lets the app treat it as usual.
    func handleCapturedKey(_ key: KeyEvent, app: ConsoleApp) -> Bool
    func render(in area: Rect, frame: inout Frame, app: ConsoleApp)
    /// Called about four times a second; returns whether something on screen may have changed.
    func tick(app: ConsoleApp) -> Bool
    /// Called before each frame: take results that background reads finished (never wait here).
    func willRender(app: ConsoleApp)
    /// The screen became visible (again).
    func activate(app: ConsoleApp)
    /// Another session changed what `areas` name (``LakeWatch``) while this screen shows: re-read what it shows of
    /// them, keeping the cursor on the same item. Never called when nothing changed.
    func followLakeChange(_ areas: Set<LakeWatch.Area>, app: ConsoleApp)
    /// The current `/` filter text, if the screen filters.
    var filterText: String? { get }
    /// Applies a `/` filter (empty clears it).
    func applyFilter(_ text: String, app: ConsoleApp)
    /// Whether `/` applies the filter at each key, or only on Enter (a filter that costs the user something each time).
    func filtersAsYouType(app: ConsoleApp) -> Bool
    /// A left click at a cell of the body (0-based, the terminal's coordinates); false when the screen has nothing there.
    func click(at position: Position, app: ConsoleApp) -> Bool
}

extension ConsoleScreen {
    func perform(_ action: String, argument: String, app: ConsoleApp) -> Bool { false }
    func click(at position: Position, app: ConsoleApp) -> Bool { false }
    var capturesInput: Bool { false }
    func handleCapturedKey(_ key: KeyEvent, app: ConsoleApp) -> Bool { false }
    func tick(app: ConsoleApp) -> Bool { false }
    func willRender(app: ConsoleApp) {}
    func activate(app: ConsoleApp) {}
    func followLakeChange(_ areas: Set<LakeWatch.Area>, app: ConsoleApp) {}
    var filterText: String? { nil }
    func applyFilter(_ text: String, app: ConsoleApp) {}
    func filtersAsYouType(app: ConsoleApp) -> Bool { true }
}

/// A screen whose body is a table: a left click on a row selects it, as the keyboard would (the wheel moves the
/// selection through the `down` and `up` actions, as on every screen).
protocol TableScreen: ConsoleScreen {
    var state: TableState { get set }
    /// Where the table was last drawn; nil before the first frame.
    var tableArea: Rect? { get }
}

extension TableScreen {
    func click(at position: Position, app: ConsoleApp) -> Bool {
        guard let area = tableArea, let row = Table.row(atX: position.x, y: position.y, in: area, state: state) else { return false }
        state.selection.select(row)
        return true
    }
}

/// Actions shared by screens that show a table or a list.
enum NavigationActions {
    static let list: [ConsoleAction] = [
        ConsoleAction("down", keys: [.char("j"), KeyEvent(.down)], help: "Next row", group: "Navigation"),
        ConsoleAction("up", keys: [.char("k"), KeyEvent(.up)], help: "Previous row", group: "Navigation"),
        ConsoleAction("page-down", keys: [KeyEvent(.pageDown), .ctrl("f")], help: "Page down", group: "Navigation"),
        ConsoleAction("page-up", keys: [KeyEvent(.pageUp), .ctrl("b")], help: "Page up", group: "Navigation"),
        ConsoleAction("top", keys: [.char("g"), KeyEvent(.home)], help: "First row", group: "Navigation"),
        ConsoleAction("bottom", keys: [.char("G"), KeyEvent(.end)], help: "Last row", group: "Navigation"),
    ]

    static let filter = ConsoleAction("filter", keys: [.char("/")], help: "Filter rows by text", group: "Navigation")

    /// Applies a navigation action to a selection; false when `name` is not one.
    static func apply(_ name: String, to selection: inout SelectionState) -> Bool {
        switch name {
        case "down": selection.select(next: 1)
        case "up": selection.select(previous: 1)
        case "page-down": selection.page(down: true)
        case "page-up": selection.page(down: false)
        case "top": selection.selectFirst()
        case "bottom": selection.selectLast()
        default: return false
        }
        return true
    }

    /// Applies a navigation action to a text view; false when `name` is not one.
    static func apply(_ name: String, to view: inout TextViewState) -> Bool {
        switch name {
        case "down": view.scroll(by: 1)
        case "up": view.scroll(by: -1)
        case "page-down": view.page(down: true)
        case "page-up": view.page(down: false)
        case "top": view.scrollToTop()
        case "bottom": view.scrollToBottom()
        default: return false
        }
        return true
    }
}

/// Column keys on every list (VisiData's habits), for screens that do not bind them themselves: ←/→ focus the
/// column to the left or right (the table scrolls sideways to it when the columns are wider than the screen),
/// `}`/`{` widen or narrow the focused column, `_` fits it to its content again.
enum ColumnActions {
    static let list: [ConsoleAction] = [
        ConsoleAction("column-left", keys: [KeyEvent(.left)], help: "Focus the column to the left (scrolls to it)", group: "Columns"),
        ConsoleAction("column-right", keys: [KeyEvent(.right)], help: "Focus the column to the right (scrolls to it)", group: "Columns"),
        ConsoleAction("widen-column", keys: [.char("}")], help: "Widen the focused column (wider than the screen: scroll with ←/→)", group: "Columns"),
        ConsoleAction("narrow-column", keys: [.char("{")], help: "Narrow the focused column", group: "Columns"),
        ConsoleAction("fit-column", keys: [.char("_")], help: "Fit the focused column to its content again", group: "Columns"),
    ]

    /// Columns a `}` or `{` adds or takes away.
    static let step = 4

    /// Applies a column action to a table; nil when `name` is not one, else what the status line should say (empty:
    /// nothing).
    static func apply(_ name: String, to state: inout TableState) -> String? {
        switch name {
        case "column-left": state.focusColumn(by: -1)
        case "column-right": state.focusColumn(by: 1)
        case "widen-column", "narrow-column":
            guard state.resizeFocusedColumn(by: name == "widen-column" ? step : -step) else { return focusFirst }
        case "fit-column":
            guard state.fitFocusedColumn() else { return focusFirst }
        default: return nil
        }
        return ""
    }

    static let focusFirst = "focus a column first (← or →)"
}
