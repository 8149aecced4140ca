/// A bordered box centred in its area with a title, a wrapped body and a row of buttons.
///
/// The box clears what is under it. Its width is `preferredWidth` (or just wide enough for the
/// content), never more than the area; its height follows the wrapped body.
public struct Modal: Widget, Sendable {
    public var title: String
    public var body: [Line]
    public var buttons: [String]
    /// Index into `buttons` of the focused button.
    public var selectedButton: Int
    public var preferredWidth: Int?
    public var style: Style
    public var borderStyle: Style
    public var titleStyle: Style
    public var buttonStyle: Style
    public var selectedButtonStyle: Style

    public init(
        title: String, body: [Line], buttons: [String] = ["OK"], selectedButton: Int = 0, preferredWidth: Int? = nil,
        style: Style = .plain, borderStyle: Style = .plain, titleStyle: Style = Style(modifiers: .bold),
        buttonStyle: Style = .plain, selectedButtonStyle: Style = Style(modifiers: [.reverse, .bold])
    ) {
        self.title = title
        self.body = body
        self.buttons = buttons
        self.selectedButton = selectedButton
        self.preferredWidth = preferredWidth
        self.style = style
        self.borderStyle = borderStyle
        self.titleStyle = titleStyle
        self.buttonStyle = buttonStyle
        self.selectedButtonStyle = selectedButtonStyle
    }

    private var buttonLabels: [String] { buttons.map { "[ \($0) ]" } }

    private var buttonRowWidth: Int {
        let labels = buttonLabels
        return labels.reduce(0) { $0 + TextWidth.of($1) } + max(0, labels.count - 1) * 2
    }

    /// The box this modal occupies when rendered in `area`.
    public func rect(in area: Rect) -> Rect {
        let contentWidth = max(body.map(\.width).max() ?? 0, buttonRowWidth, TextWidth.of(title) + 2)
        let width = min(area.width, preferredWidth ?? (contentWidth + 4))
        let innerWidth = max(1, width - 4)
        let bodyRows = body.flatMap { $0.wrapped(to: innerWidth) }.count
        let height = 2 + bodyRows + (buttons.isEmpty ? 0 : 2)
        return area.centered(width: width, height: height)
    }

    public func render(in area: Rect, buffer: inout Buffer) {
        let box = rect(in: area)
        guard box.width >= 4, box.height >= 2 else { return }
        buffer.fill(area: box, with: Cell(symbol: " ", style: style))
        let block = Block(borderStyle: borderStyle, title: Line(title, style: titleStyle))
        block.render(in: box, buffer: &buffer)
        let inner = block.inner(box).inner(horizontal: 1, vertical: 0)
        var y = inner.y
        for line in body.flatMap({ $0.wrapped(to: inner.width) }) where y < inner.bottom {
            buffer.setLine(line, in: Rect(x: inner.x, y: y, width: inner.width, height: 1))
            y += 1
        }
        guard !buttons.isEmpty, inner.height >= 1 else { return }
        let buttonY = inner.bottom - 1
        var x = inner.x + max(0, (inner.width - buttonRowWidth) / 2)
        for (index, label) in buttonLabels.enumerated() {
            let buttonStyle = index == selectedButton ? selectedButtonStyle : self.buttonStyle
            x += buffer.setString(x: x, y: buttonY, label, style: buttonStyle, maxWidth: max(0, inner.right - x)) + 2
        }
    }
}

/// The answer a ``ConfirmDialog`` is heading for.
public enum ConfirmChoice: Sendable, Hashable {
    case confirm
    case cancel
}

/// Which button of a ``ConfirmDialog`` is focused.
public struct ConfirmState: Sendable, Hashable {
    public var focused: ConfirmChoice

    /// Starts on Cancel so that a stray Enter does not confirm a destructive action.
    public init(focused: ConfirmChoice = .cancel) {
        self.focused = focused
    }

    /// Left/Right/Tab/Shift-Tab/h/l move the focus; Enter answers the focused button; `y` confirms;
    /// `n` and Esc cancel. Returns the answer once the user gave one, else nil.
    public mutating func handle(_ key: KeyEvent) -> ConfirmChoice? {
        guard !key.ctrl, !key.alt else { return nil }
        switch key.key {
        case .left, .right, .tab, .backTab, .char("h"), .char("l"):
            focused = focused == .confirm ? .cancel : .confirm
            return nil
        case .enter:
            return focused
        case .char("y"), .char("Y"):
            return .confirm
        case .char("n"), .char("N"), .escape:
            return .cancel
        default:
            return nil
        }
    }
}

/// A yes/no question in a ``Modal``: confirm button first, cancel second.
public struct ConfirmDialog: StatefulWidget, Sendable {
    public var title: String
    public var message: String
    public var confirmLabel: String
    public var cancelLabel: String
    public var preferredWidth: Int?
    public var style: Style
    public var borderStyle: Style
    public var selectedButtonStyle: Style

    public init(
        title: String, message: String, confirmLabel: String = "Yes", cancelLabel: String = "No",
        preferredWidth: Int? = nil, style: Style = .plain, borderStyle: Style = .plain,
        selectedButtonStyle: Style = Style(modifiers: [.reverse, .bold])
    ) {
        self.title = title
        self.message = message
        self.confirmLabel = confirmLabel
        self.cancelLabel = cancelLabel
        self.preferredWidth = preferredWidth
        self.style = style
        self.borderStyle = borderStyle
        self.selectedButtonStyle = selectedButtonStyle
    }

    public func modal(focused: ConfirmChoice) -> Modal {
        Modal(
            title: title, body: Line.lines(of: message), buttons: [confirmLabel, cancelLabel],
            selectedButton: focused == .confirm ? 0 : 1, preferredWidth: preferredWidth, style: style,
            borderStyle: borderStyle, selectedButtonStyle: selectedButtonStyle)
    }

    public func render(in area: Rect, buffer: inout Buffer, state: inout ConfirmState) {
        modal(focused: state.focused).render(in: area, buffer: &buffer)
    }
}
