/// A labelled text field of a ``Form``.
public struct FormField: Sendable, Hashable {
    public var id: String
    public var label: String
    public var placeholder: String
    /// A validation message shown under the field; nil when the value is fine.
    public var error: String?
    public var isSecure: Bool

    public init(id: String, label: String, placeholder: String = "", error: String? = nil, isSecure: Bool = false) {
        self.id = id
        self.label = label
        self.placeholder = placeholder
        self.error = error
        self.isSecure = isSecure
    }
}

/// The values of a ``Form``'s fields and which one has focus.
public struct FormState: Sendable, Hashable {
    /// One editor per field, in field order.
    public var fields: [TextFieldState]
    /// Index of the focused field.
    public private(set) var focused: Int
    /// Where the terminal cursor belongs after the last render (in the focused field).
    public internal(set) var cursorPosition: Position?

    public init(values: [String], focused: Int = 0) {
        self.fields = values.map { TextFieldState($0) }
        self.focused = max(0, min(focused, max(0, values.count - 1)))
    }

    public init(fieldCount: Int) {
        self.init(values: [String](repeating: "", count: max(0, fieldCount)))
    }

    /// The values, in field order.
    public var values: [String] { fields.map(\.value) }

    public mutating func focus(_ index: Int) {
        guard !fields.isEmpty else { return }
        focused = max(0, min(index, fields.count - 1))
    }

    /// Focus the next field, wrapping round to the first.
    public mutating func focusNext() {
        guard !fields.isEmpty else { return }
        focused = (focused + 1) % fields.count
    }

    /// Focus the previous field, wrapping round to the last.
    public mutating func focusPrevious() {
        guard !fields.isEmpty else { return }
        focused = (focused + fields.count - 1) % fields.count
    }

    /// Tab/Down move focus forward, Shift-Tab/Up back; other keys go to the focused field.
    /// Enter and Esc are not used (the screen decides what submitting or leaving means).
    /// Returns whether the key was used.
    public mutating func handle(_ key: KeyEvent) -> Bool {
        guard !fields.isEmpty else { return false }
        if !key.ctrl && !key.alt {
            switch key.key {
            case .tab, .down:
                focusNext()
                return true
            case .backTab, .up:
                focusPrevious()
                return true
            default:
                break
            }
        }
        return fields[focused].handle(key)
    }
}

/// Labelled text fields, one per row, each with its validation message under it.
///
/// ```
/// ▸   Name │Ada Lovelace      │
///    Email │ada@              │
///          must contain a domain
/// ```
/// The focused field gets a "▸" marker, `focusedLabelStyle` and `focusedFieldStyle`. After
/// rendering, `state.cursorPosition` says where to put the terminal cursor
/// (`frame.setCursor(state.cursorPosition)`). When the fields do not fit, the form scrolls to keep
/// the focused one visible.
public struct Form: StatefulWidget, Sendable {
    public var fields: [FormField]
    /// Width of the label column; nil fits the longest label.
    public var labelWidth: Int?
    public var labelStyle: Style
    public var focusedLabelStyle: Style
    public var fieldStyle: Style
    public var focusedFieldStyle: Style
    public var errorStyle: Style
    public var focusMarker: String

    public init(
        fields: [FormField], labelWidth: Int? = nil, labelStyle: Style = .plain,
        focusedLabelStyle: Style = Style(modifiers: .bold), fieldStyle: Style = Style(modifiers: .underline),
        focusedFieldStyle: Style = Style(modifiers: [.underline, .bold]), errorStyle: Style = Style(fg: .red),
        focusMarker: String = "▸"
    ) {
        self.fields = fields
        self.labelWidth = labelWidth
        self.labelStyle = labelStyle
        self.focusedLabelStyle = focusedLabelStyle
        self.fieldStyle = fieldStyle
        self.focusedFieldStyle = focusedFieldStyle
        self.errorStyle = errorStyle
        self.focusMarker = focusMarker
    }

    public func render(in area: Rect, buffer: inout Buffer, state: inout FormState) {
        state.cursorPosition = nil
        guard !area.isEmpty else { return }
        while state.fields.count < fields.count { state.fields.append(TextFieldState()) }

        // Row offsets of each field within the form, errors taking an extra row.
        var starts: [Int] = []
        var row = 0
        for field in fields {
            starts.append(row)
            row += field.error == nil ? 1 : 2
        }
        var scroll = 0
        if state.focused < fields.count {
            let focusedEnd = starts[state.focused] + (fields[state.focused].error == nil ? 1 : 2)
            if focusedEnd > area.height { scroll = focusedEnd - area.height }
        }

        let markerWidth = TextWidth.of(focusMarker) + 1
        let labels = labelWidth ?? (fields.map { TextWidth.of($0.label) }.max() ?? 0)
        let fieldX = area.x + markerWidth + labels + 1
        let fieldWidth = area.right - fieldX

        for (index, field) in fields.enumerated() {
            let y = area.y + starts[index] - scroll
            guard y >= area.y else { continue }
            guard y < area.bottom else { break }
            let isFocused = index == state.focused
            if isFocused {
                buffer.setString(x: area.x, y: y, focusMarker, style: focusedLabelStyle, maxWidth: area.width)
            }
            let label = TextWidth.pad(field.label, to: labels, alignment: .right)
            buffer.setString(
                x: area.x + markerWidth, y: y, label, style: isFocused ? focusedLabelStyle : labelStyle,
                maxWidth: max(0, area.right - area.x - markerWidth))
            if fieldWidth > 0 {
                let rect = Rect(x: fieldX, y: y, width: fieldWidth, height: 1)
                let editor = TextField(style: isFocused ? focusedFieldStyle : fieldStyle, placeholder: field.placeholder, isSecure: field.isSecure)
                editor.render(in: rect, buffer: &buffer, state: &state.fields[index])
                if isFocused { state.cursorPosition = editor.cursorPosition(in: rect, state: state.fields[index]) }
            }
            if let error = field.error, y + 1 < area.bottom, fieldWidth > 0 {
                buffer.setString(x: fieldX, y: y + 1, TextWidth.truncate(error, to: fieldWidth), style: errorStyle)
            }
        }
    }
}
