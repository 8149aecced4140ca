import TermUI

/// The one-line input at the bottom: the `:` command palette or a `/` filter.
struct Prompt {
    enum Kind {
        case palette
        case filter
    }

    var kind: Kind
    var field: TextFieldState
    /// Highlighted palette candidate.
    var selected = 0
    /// The filter before the prompt opened: Esc puts it back (the table filters as you type).
    var original: String

    init(kind: Kind, text: String = "") {
        self.kind = kind
        self.field = TextFieldState(text)
        self.original = text
    }
}

/// A dialog over the body: a yes/no question or a one-line text question.
enum ModalState {
    case confirm(title: String, message: String, state: ConfirmState, onConfirm: () -> Void)
    case input(InputDialog)
    case picker(Picker)
    /// A text shown whole (a zoomed cell); any key closes it.
    case text(title: String, lines: [Line])
}

/// A one-line text question. An answer that is needed stays asked for: Enter on an empty field keeps the
/// dialog open and says what is missing (keys typed next must not fall through to the screen below).
struct InputDialog {
    var title: String
    var question: String
    var field = TextFieldState()
    /// What to say when Enter is pressed on an empty (blank) answer; nil accepts an empty answer.
    var whenEmpty: String?
    /// What is wrong with an answer (nil: nothing), checked on Enter after ``whenEmpty``; the dialog stays open.
    var check: ((String) -> String?)?
    /// The problem shown under the field after a refused Enter.
    var problem: String?
    var onSubmit: (String) -> Void

    init(
        title: String, question: String, field: TextFieldState = TextFieldState(), whenEmpty: String?, check: ((String) -> String?)? = nil,
        onSubmit: @escaping (String) -> Void
    ) {
        self.title = title
        self.question = question
        self.field = field
        self.whenEmpty = whenEmpty
        self.check = check
        self.onSubmit = onSubmit
    }

    /// Why the answer cannot be taken, or nil.
    func refusal(of answer: String) -> String? {
        if let whenEmpty, answer.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return whenEmpty }
        return check?(answer)
    }
}

extension ConsoleApp {
    // MARK: Prompt

    func handlePrompt(_ key: KeyEvent) {
        guard var prompt else { return }
        switch key.key {
        case .escape where !key.ctrl && !key.alt:
            self.prompt = nil
            // A filter applied only on Enter was never changed by the keys: nothing to restore (and no lookup to spend).
            if prompt.kind == .filter, prompt.field.value != prompt.original, current.filtersAsYouType(app: self) {
                current.applyFilter(prompt.original, app: self)
            }
            return
        case .enter:
            self.prompt = nil
            submit(prompt)
            return
        case .tab where prompt.kind == .palette:
            let candidates = PaletteCompletion.candidates(for: prompt.field.value, in: actionNames)
            let completed = PaletteCompletion.complete(prompt.field.value, in: actionNames)
            if completed == prompt.field.value, candidates.indices.contains(prompt.selected) {
                prompt.field.value = candidates[prompt.selected]
            } else {
                prompt.field.value = completed
            }
            prompt.selected = 0
        case .down where prompt.kind == .palette:
            prompt.selected += 1
        case .up where prompt.kind == .palette:
            prompt.selected = max(0, prompt.selected - 1)
        default:
            let before = prompt.field.value
            if prompt.field.handle(key) { prompt.selected = 0 }
            // `/` filters the table as you type; Enter keeps the filter, Esc restores the old one.
            if prompt.kind == .filter, prompt.field.value != before, current.filtersAsYouType(app: self) {
                current.applyFilter(prompt.field.value.trimmingCharacters(in: .whitespaces), app: self)
            }
        }
        if prompt.kind == .palette {
            let count = PaletteCompletion.candidates(for: prompt.field.value, in: actionNames).count
            prompt.selected = max(0, min(prompt.selected, count - 1))
        }
        self.prompt = prompt
    }

    private func submit(_ prompt: Prompt) {
        let text = prompt.field.value.trimmingCharacters(in: .whitespaces)
        switch prompt.kind {
        case .filter:
            if text != current.filterText { current.applyFilter(text, app: self) }
        case .palette:
            guard !text.isEmpty else { return }
            // `:rule email_format`: an action with an argument, when the screen takes one.
            if let space = text.firstIndex(of: " ") {
                let name = String(text[..<space])
                let argument = text[space...].trimmingCharacters(in: .whitespaces)
                if current.perform(name, argument: argument, app: self) { return }
                message = StatusMessage("\"\(name)\" takes no argument here; Tab completes an action, ? lists the keys", severity: .warning)
                return
            }
            let names = actionNames
            let candidates = PaletteCompletion.candidates(for: text, in: names)
            let name: String
            if names.contains(text) {
                name = text
            } else if text == "q" {
                name = "quit"
            } else if candidates.indices.contains(prompt.selected) {
                name = candidates[prompt.selected]
            } else {
                message = StatusMessage("no action \"\(text)\" here; Tab completes, ? lists the keys", severity: .warning)
                return
            }
            dispatch(name)
        }
    }

    func renderPrompt(_ prompt: Prompt, in row: Rect, body: Rect, frame: inout Frame) {
        frame.buffer.fill(area: row, with: Cell(symbol: " ", style: theme[.background]))
        let label = prompt.kind == .palette ? ":" : "/"
        frame.buffer.setString(x: row.x, y: row.y, label, style: theme[.accent])
        let fieldRect = Rect(x: row.x + 1, y: row.y, width: row.width - 1, height: 1)
        var field = prompt.field
        let editor = TextField(style: theme[.text])
        editor.render(in: fieldRect, buffer: &frame.buffer, state: &field)
        frame.setCursor(editor.cursorPosition(in: fieldRect, state: field))
        guard prompt.kind == .palette else { return }
        let actions = allActions
        let candidates = PaletteCompletion.candidates(for: prompt.field.value, in: actions.map(\.name))
        let shown = Array(candidates.prefix(max(1, min(10, body.height - 2))))
        guard !shown.isEmpty else { return }
        let width = min(body.width, 60)
        let box = Rect(x: body.x, y: body.bottom - shown.count - 2, width: width, height: shown.count + 2)
        frame.buffer.fill(area: box, with: Cell(symbol: " ", style: theme[.text].patched(with: theme[.background])))
        frame.render(Block(borderStyle: theme[.accent], title: Line("commands", style: theme[.header])), in: box)
        for (index, name) in shown.enumerated() {
            let action = actions.first { $0.name == name }
            let y = box.y + 1 + index
            let rowRect = Rect(x: box.x + 1, y: y, width: box.width - 2, height: 1)
            let line = Line(spans: [
                Span(TextWidth.pad(name, to: 22), style: theme[.accent]),
                Span(TextWidth.pad(action?.keyText ?? "", to: 10), style: theme[.muted]),
                Span(action?.help ?? "", style: theme[.text]),
            ])
            frame.buffer.setLine(line, in: rowRect)
            if index == prompt.selected { frame.buffer.setStyle(area: rowRect, theme[.selection]) }
        }
    }

    // MARK: Modal

    func handleModal(_ key: KeyEvent) {
        guard let modal else { return }
        switch modal {
        case .confirm(let title, let text, var state, let onConfirm):
            switch state.handle(key) {
            case .confirm?:
                self.modal = nil
                onConfirm()
            case .cancel?:
                self.modal = nil
                message = StatusMessage("cancelled")
            case nil:
                self.modal = .confirm(title: title, message: text, state: state, onConfirm: onConfirm)
            }
        case .picker(var picker):
            switch picker.handle(key) {
            case .pick(let choice)?:
                self.modal = nil
                picker.onPick(choice)
            case .cancel?:
                self.modal = nil
                message = StatusMessage("cancelled")
            case nil:
                self.modal = .picker(picker)
            }
        case .text:
            self.modal = nil
        case .input(var dialog):
            switch key.key {
            case .escape:
                self.modal = nil
                message = StatusMessage("cancelled")
            case .enter:
                if let refusal = dialog.refusal(of: dialog.field.value) {
                    dialog.problem = refusal
                    self.modal = .input(dialog)
                    return
                }
                self.modal = nil
                dialog.onSubmit(dialog.field.value)
            default:
                if dialog.field.handle(key) { dialog.problem = nil }
                self.modal = .input(dialog)
            }
        }
    }

    func renderModal(_ modal: ModalState, in area: Rect, frame: inout Frame) {
        let style = theme[.text].patched(with: theme[.background])
        switch modal {
        case .confirm(let title, let text, let state, _):
            let dialog = ConfirmDialog(
                title: title, message: text, preferredWidth: min(area.width - 4, 70), style: style,
                borderStyle: theme[.warning], selectedButtonStyle: theme[.selection])
            var confirmState = state
            frame.render(dialog, in: area, state: &confirmState)
        case .picker(let picker):
            renderPicker(picker, in: area, frame: &frame)
        case .text(let title, let lines):
            frame.render(
                Modal(
                    title: title, body: lines, buttons: ["any key closes"], preferredWidth: min(area.width - 4, 90), style: style,
                    borderStyle: theme[.accent]), in: area)
        case .input(let dialog):
            let problem = dialog.problem.map { Line("✗ " + $0, style: theme[.error]) } ?? Line("")
            let modalWidget = Modal(
                title: dialog.title, body: [Line(dialog.question), Line(""), problem, Line("")], buttons: ["Enter: OK", "Esc: cancel"],
                preferredWidth: min(area.width - 4, 70), style: style, borderStyle: theme[.warning])
            frame.render(modalWidget, in: area)
            let box = modalWidget.rect(in: area)
            let fieldRect = Rect(
                x: box.x + 2, y: box.y + 1 + max(1, Line(dialog.question).wrapped(to: box.width - 4).count), width: box.width - 4, height: 1)
            var state = dialog.field
            let editor = TextField(style: theme[.selection])
            editor.render(in: fieldRect, buffer: &frame.buffer, state: &state)
            frame.setCursor(editor.cursorPosition(in: fieldRect, state: state))
        }
    }

    // MARK: Picker

    func renderPicker(_ picker: Picker, in area: Rect, frame: inout Frame) {
        let shown = picker.shown
        let width = min(area.width - 4, 64)
        let listHeight = max(1, min(max(shown.count, 1), area.height - 5))
        let box = area.centered(width: width, height: listHeight + 4)
        frame.buffer.fill(area: box, with: Cell(symbol: " ", style: theme[.text].patched(with: theme[.background])))
        let block = Block(borderStyle: theme[.accent], title: Line(picker.title, style: theme[.header]))
        frame.render(block, in: box)
        let inner = block.inner(box).inner(horizontal: 1, vertical: 0)
        frame.buffer.setString(x: inner.x, y: inner.y, "› ", style: theme[.accent])
        let fieldRect = Rect(x: inner.x + 2, y: inner.y, width: max(0, inner.width - 2), height: 1)
        var field = picker.field
        let editor = TextField(style: theme[.text])
        editor.render(in: fieldRect, buffer: &frame.buffer, state: &field)
        frame.setCursor(editor.cursorPosition(in: fieldRect, state: field))
        let listTop = inner.y + 2
        guard !shown.isEmpty else {
            frame.buffer.setString(x: inner.x, y: listTop, "nothing matches \"\(picker.field.value)\"", style: theme[.muted], maxWidth: inner.width)
            return
        }
        let offset = max(0, picker.selected - listHeight + 1)
        for (index, choice) in shown.enumerated().dropFirst(offset).prefix(listHeight) {
            let y = listTop + index - offset
            let row = Rect(x: inner.x, y: y, width: inner.width, height: 1)
            let count = choice.count.map { TimeText.count($0) } ?? ""
            let style = choice.count == 0 ? theme[.muted] : theme[.text]
            frame.buffer.setString(x: row.x, y: y, choice.label, style: style, maxWidth: max(0, row.width - count.count - 1))
            frame.buffer.setString(x: row.right - count.count, y: y, count, style: theme[.muted], maxWidth: count.count)
            if index == picker.selected { frame.buffer.setStyle(area: row, theme[.selection]) }
        }
    }
}
