/// The shipped themes, compiled in so the console works without the themes folder.
/// A test checks that they match `themes/*.toml` exactly.
enum BuiltInThemes {
    static let text: [String: String] = [
        "dark": #"""
            # Dark theme (the default). Each role is a foreground colour, or a table with fg, bg and modifiers.
            # Colours: "#rrggbb", "default", an ANSI name ("red", "bright-blue") or a 256-colour index ("color208").
            name = "dark"

            background  = { fg = "#d0d0d0", bg = "#1c1c1c" }
            text        = "#d0d0d0"
            muted       = "#808080"
            accent      = { fg = "#5fafff", bold = true }
            selection   = { fg = "#ffffff", bg = "#005f87", bold = true }
            header      = { fg = "#ffd75f", bold = true }
            error       = { fg = "#ff5f5f", bold = true }
            warning     = "#ffaf00"
            success     = "#5fd75f"
            pii         = { fg = "#d787ff", italic = true }
            diff-add    = { fg = "#87d787", bg = "#1c3a1c" }
            diff-remove = { fg = "#ff8787", bg = "#3a1c1c" }
            """#,
        "light": #"""
            # Light theme for light terminal backgrounds.
            name = "light"

            background  = { fg = "#262626", bg = "#ffffff" }
            text        = "#262626"
            muted       = "#808080"
            accent      = { fg = "#005fd7", bold = true }
            selection   = { fg = "#000000", bg = "#afd7ff", bold = true }
            header      = { fg = "#5f00af", bold = true }
            error       = { fg = "#d70000", bold = true }
            warning     = "#af5f00"
            success     = "#008700"
            pii         = { fg = "#870087", italic = true }
            diff-add    = { fg = "#005f00", bg = "#d7ffd7" }
            diff-remove = { fg = "#870000", bg = "#ffd7d7" }
            """#,
        "high-contrast": #"""
            # High contrast: pure black and white with saturated signal colours.
            name = "high-contrast"

            background  = { fg = "#ffffff", bg = "#000000" }
            text        = "#ffffff"
            muted       = "#c0c0c0"
            accent      = { fg = "#00ffff", bold = true }
            selection   = { fg = "#000000", bg = "#ffff00", bold = true }
            header      = { fg = "#ffffff", bold = true, underline = true }
            error       = { fg = "#ffffff", bg = "#d70000", bold = true }
            warning     = { fg = "#000000", bg = "#ffaf00", bold = true }
            success     = { fg = "#00ff00", bold = true }
            pii         = { fg = "#ff00ff", bold = true }
            diff-add    = { fg = "#000000", bg = "#00ff00" }
            diff-remove = { fg = "#ffffff", bg = "#ff0000" }
            """#,
        "mono": #"""
            # Monochrome: no colours, only modifiers. Chosen automatically when NO_COLOR is set.
            name = "mono"

            background  = "default"
            text        = "default"
            muted       = { dim = true }
            accent      = { bold = true }
            selection   = { reverse = true }
            header      = { bold = true, underline = true }
            error       = { bold = true, reverse = true }
            warning     = { bold = true }
            success     = { underline = true }
            pii         = { italic = true }
            diff-add    = { bold = true }
            diff-remove = { dim = true, reverse = true }
            """#,
    ]
}
