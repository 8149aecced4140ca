import CDPCore
import Foundation
import Testing

@testable import CDPEngine

/// Broken configuration files and the exact messages they give: every problem of every file, each with its
/// file, line, column and setting, in words, and nothing written to the lake.
@Suite struct ConfigurationCheckTests {
    struct BrokenWorkflow: CustomTestStringConvertible, Sendable {
        var name: String
        var json: String
        var expected: [String]
        var testDescription: String { name }
    }

    static let steps = StepKind.allCases.map(\.rawValue).joined(separator: ", ")

    static let brokenWorkflows: [BrokenWorkflow] = [
        BrokenWorkflow(
            name: "every setting's type, range and name, all at once",
            json: """
                {"name": "p",
                 "timeout_seconds": 1e400,
                 "tasks": [
                  {"task_key": "a", "cdp_task": {"step": "rm -rf"}},
                  {"task_key": "b", "timeout_seconds": 99999999999999999999, "cdp_task": {"step": "scorecard"}, "max_retries": "2"},
                  {"task_key": "c", "task_key": "d", "cdp_task": {"step": "gold", "sorce": "x"}}
                 ]}
                """,
            expected: [
                "w.json:2:21: timeout_seconds: 1e400 is out of range (1 to 2147483647 seconds)",
                "w.json:4:42: tasks[0].cdp_task.step: 'rm -rf' is not a step (known: \(steps))",
                "w.json:5:40: tasks[1].timeout_seconds: 99999999999999999999 is out of range (1 to 2147483647 seconds)",
                "w.json:5:112: tasks[1].max_retries: must be a whole number, found a string (\"2\")",
                "w.json:6:21: tasks[2].task_key: is given twice (first on line 6); keep one",
                "w.json:6:67: tasks[2].cdp_task.sorce: is not a known setting (expected one of: step, source)",
            ]),
        BrokenWorkflow(
            name: "a syntax error names its line and column",
            json: #"{"name": "p" "tasks": []}"#,
            expected: [#"w.json:1:14: is not valid JSON: expected ',' or '}' after a member, found '"'"#]),
        BrokenWorkflow(
            name: "fractions, huge retries, a missing step, a task that is not an object",
            json: """
                {"name": "p", "tasks": [
                  {"task_key": "a", "cdp_task": {"step": "ingest", "source": "crm"}, "timeout_seconds": 1.5, "max_retries": 1e3},
                  {"task_key": "b", "cdp_task": {}},
                  "c"
                ]}
                """,
            expected: [
                "w.json:2:89: tasks[0].timeout_seconds: must be a whole number, found 1.5",
                "w.json:2:109: tasks[0].max_retries: 1e3 is out of range (0 to 100)",
                "w.json:3:33: tasks[1].cdp_task.step: is missing",
                #"w.json:4:3: tasks[2]: must be an object ({…}), found a string ("c")"#,
            ]),
        BrokenWorkflow(
            name: "the plan's problems name the line of the setting at fault",
            json: """
                {"name": "p", "tasks": [
                  {"task_key": "a", "cdp_task": {"step": "ingest", "source": "nowhere"}},
                  {"task_key": "b", "depends_on": [{"task_key": "ghost"}], "cdp_task": {"step": "gold"}}
                ]}
                """,
            expected: [
                "w.json:2:52: tasks[0].cdp_task.source: 'nowhere' is not a source of cdp.toml (sources: crm)",
                "w.json:3:37: tasks[1].depends_on[0].task_key: 'ghost' is not a task of this workflow (tasks: a, b)",
            ]),
        BrokenWorkflow(
            name: "the whole file is not an object",
            json: "[1, 2]",
            expected: ["w.json:1:1: must be an object ({…}), found a list"]),
    ]

    @Test(arguments: brokenWorkflows)
    func aBrokenWorkflowIsReportedWhole(_ broken: BrokenWorkflow) throws {
        let error = try #require(throws: EngineError.self) {
            try ConfigurationLoader.workflow(jsonData: Data(broken.json.utf8), file: "w.json", sources: ["crm"])
        }
        #expect(error.code == .invalidConfiguration)
        #expect(error.details == broken.expected)
        #expect(!error.description.contains("Cannot initialize"))
        #expect(!error.description.contains("not valid JSON") || broken.json.hasPrefix(#"{"name": "p" "#))
    }

    @Test func aMatchingFileNamesLineAndColumnOfEachProblem() throws {
        let text = """
            [thresholds]
            auto_merge = 0.99
            review = 0.9

            [[blocking.rules]]
            name = "x"
            keys = ["surname_sound"]

            [[comparisons]]
            name = "first"
            field = "first_name"
              [[comparisons.levels]]
              kind = "null"
              [[comparisons.levels]]
              kind = "jaro_winkler"
              treshold = 0.9
              [[comparisons.levels]]
              kind = "else"
            """
        let error = try #require(throws: EngineError.self) { try MatchingConfigurationLoader.load(tomlText: text, file: "matching.toml") }
        let keys = DerivedKey.allCases.map(\.rawValue).joined(separator: ", ")
        #expect(error.details == [
            "matching.toml:7:9: blocking.rules[0].keys[0]: 'surname_sound' is unknown (known: \(keys), or attributes.<name> for an extra attribute)",
            "matching.toml:16:3: comparisons[0].levels[1].treshold: is not a known setting (expected one of: kind, threshold, label, term_frequency)",
        ])
    }

    /// A workspace with a problem in each of its five configuration files.
    static func brokenWorkspace(_ name: String) throws -> URL {
        let folder = EngineFixture.temporaryFolder(name)
        try WorkspaceInitializer.initialize(at: folder.path, from: EngineFixture.sampleData.path, administrator: "ann")
        func append(_ path: String, _ text: String) throws {
            let file = folder.appendingPathComponent(path)
            try (String(contentsOf: file, encoding: .utf8) + text).write(to: file, atomically: true, encoding: .utf8)
        }
        try append("cdp.toml", "\n[workspace2]\n")
        try append("governance/rules.toml", "\n[[rules]]\nname = \"late\"\ndataset = \"crm_customers\"\ncheck = \"unique\"\nseverity = \"loud\"\n")
        try append("governance/access.toml", "\nzed = \"pilot\"\n")  // [users] is the file's last table
        try append("governance/matching.toml", "\n[clustering2]\n")
        let workflow = folder.appendingPathComponent("workflows/customer_pipeline.json")
        let text = try String(contentsOf: workflow, encoding: .utf8)
        try text.replacingOccurrences(of: #""step": "scorecard""#, with: #""step": "rm -rf""#).write(to: workflow, atomically: true, encoding: .utf8)
        return folder
    }

    /// `path:line:column` of the first place `text` is written in a file of the workspace.
    static func place(of text: String, in folder: URL, _ path: String) throws -> String {
        let file = folder.appendingPathComponent(path)
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let index = try #require(lines.firstIndex { $0.contains(text) })
        let column = try #require(lines[index].range(of: text)).lowerBound
        return "\(file.path):\(index + 1):\(lines[index].distance(from: lines[index].startIndex, to: column) + 1)"
    }

    @Test func everyProblemOfEveryFileIsReportedAtOnce() throws {
        let folder = try Self.brokenWorkspace("every-file")
        let error = try #require(throws: EngineError.self) { try Workspace.checkConfiguration(at: folder.path) }
        #expect(error.code == .invalidConfiguration)
        #expect(error.message == """
            the configuration has 5 problems in cdp.toml, rules.toml, access.toml, matching.toml and customer_pipeline.json; \
            nothing was done. Fix each (`cdp check` lists them again):
            """)
        let roles = "admin, analyst, steward, viewer"
        let lastRule = try Self.ruleCount(folder) - 1
        #expect(error.details == [
            "\(try Self.place(of: "[workspace2]", in: folder, "cdp.toml")): workspace2: is not a known setting (expected one of: workspace, sources, notifications, store, query)",
            "\(try Self.place(of: "severity = \"loud\"", in: folder, "governance/rules.toml")): rules[\(lastRule)].severity: 'loud' is not a severity (known: warn, omit_value, error, fatal)",
            "\(try Self.place(of: "zed =", in: folder, "governance/access.toml")): users.zed: role 'pilot' is not declared (roles: \(roles))",
            "\(try Self.place(of: "[clustering2]", in: folder, "governance/matching.toml")): clustering2: is not a known setting (expected one of: thresholds, estimation, stitching, blocking, comparisons, clustering, survivorship)",
            "\(try Self.place(of: "\"rm -rf\"", in: folder, "workflows/customer_pipeline.json")): tasks[6].cdp_task.step: 'rm -rf' is not a step (known: \(Self.steps))",
        ])

        // Opening the workspace reports the three files it reads, together.
        let opening = try #require(throws: EngineError.self) { try Workspace(at: folder.path) }
        let file = { (path: String) in folder.appendingPathComponent(path).path }
        #expect(opening.problems.map(\.file) == ["cdp.toml", "governance/rules.toml", "governance/access.toml"].map(file))
    }

    static func ruleCount(_ folder: URL) throws -> Int {
        try String(contentsOf: folder.appendingPathComponent("governance/rules.toml"), encoding: .utf8)
            .split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces) == "[[rules]]" }.count
    }

    /// The issue: a broken matching.toml was found after seven tasks had run. Now the run is refused before
    /// its first task, and nothing is written: no run, no audit row.
    @Test func aRunIsRefusedBeforeItsFirstTaskWhenAnyConfigurationFileIsBroken() throws {
        let workspace = try EngineFixture.sampleWorkspace("refused-run")
        let matching = workspace.root.appendingPathComponent("governance/matching.toml")
        try (String(contentsOf: matching, encoding: .utf8) + "\n[clustering2]\n").write(to: matching, atomically: true, encoding: .utf8)
        let auditBefore = try workspace.store.auditEntries().count
        let error = try #require(throws: EngineError.self) { try EngineFixture.run(workspace) }
        #expect(error.code == .invalidConfiguration)
        #expect(error.details.count == 1)
        #expect(error.details.first?.contains("matching.toml:") == true && error.details.first?.contains(": clustering2: is not a known setting") == true)
        #expect(try workspace.store.runs().isEmpty)
        #expect(try workspace.store.auditEntries().count == auditBefore)
    }
}

/// Where each setting of a TOML file is written.
struct TOMLSourceMapTests {
    @Test func placesTablesArraysOfTablesKeysAndElements() {
        let map = TOMLSourceMap(text: """
            # a comment with [brackets] and key = "value"
            top = "x"  # trailing
            [workspace]
            name = "n"
            description = \"\"\"
            a multi-line string
            fake = 1
            [fake]
            \"\"\"

            [[sources]]
            name = "a"
            [sources.mapping]
            email = "mail"
            "odd key" = 'literal'

            [[sources]]
            name = "b"
            site.url = "https://x"
            inline = { a = 1, b = [1, 2] }
            list = [
              "one",  # comment
              "two",
            ]

            [[comparisons]]
              [[comparisons.levels]]
              kind = "null"
              [[comparisons.levels]]
              kind = "exact"
            [[comparisons]]
              [[comparisons.levels]]
              kind = "else"
            """)
        let expected: [(String, Int, Int)] = [
            ("top", 2, 1), ("workspace", 3, 1), ("workspace.name", 4, 1), ("workspace.description", 5, 1),
            ("sources[0]", 11, 1), ("sources[0].name", 12, 1), ("sources[0].mapping", 13, 1), ("sources[0].mapping.email", 14, 1),
            ("sources[0].mapping.odd key", 15, 1), ("sources[1]", 17, 1), ("sources[1].name", 18, 1), ("sources[1].site.url", 19, 1),
            ("sources[1].inline.a", 20, 12), ("sources[1].inline.b[1]", 20, 27), ("sources[1].list[0]", 22, 3),
            ("sources[1].list[1]", 23, 3), ("comparisons[0].levels[1].kind", 30, 3), ("comparisons[1].levels[0].kind", 33, 3),
        ]
        for (path, line, column) in expected {
            #expect(map.position(of: path) == SourcePosition(line: line, column: column), "\(path)")
        }
        #expect(map.positions["fake"] == nil && map.positions["workspace.fake"] == nil)
        // A setting that is not written points at the table it belongs in.
        #expect(map.position(of: "sources[1].primary_key") == SourcePosition(line: 17, column: 1))
        #expect(map.position(of: "nowhere") == nil)
    }

    @Test func countsColumnsInCharacters() {
        let map = TOMLSourceMap(text: "name = \"Zoë\"; \nlist = [\"é\", \"ü\"]\n")
        #expect(map.position(of: "list[1]") == SourcePosition(line: 2, column: 14))
    }
}

/// The JSON reader behind workflow messages.
struct JSONDocumentTests {
    @Test func keepsPositionsAndNumbersAsWritten() throws {
        let document = try JSONDocument(Array("{\"a\": [1, -2.5e400, \"\\u00e9\\ud83d\\ude00\\n\"],\n \"b\": {\"c\": null, \"d\": true}}".utf8))
        guard case .object(let members) = document.root.kind, case .array(let elements) = members[0].value.kind else {
            Issue.record("expected an object holding a list")
            return
        }
        #expect(members.map(\.key) == ["a", "b"])
        #expect(members[1].keyPosition == SourcePosition(line: 2, column: 2))
        guard case .number(let text) = elements[1].kind, case .string(let string) = elements[2].kind else {
            Issue.record("expected a number and a string")
            return
        }
        #expect(text == "-2.5e400")
        #expect(elements[1].position == SourcePosition(line: 1, column: 11))
        #expect(string == "é😀\n")
    }

    @Test(arguments: [
        ("{\"a\": }", "expected a value, found '}'", 1, 7),
        ("{\"a\": 1,\n \"b\": tru}", "expected a value, found 't'", 2, 7),
        ("[1, 2", "expected ',' or ']' after an element, found the end of the file", 1, 6),
        ("{\"a\": \"x\ny\"}", "a string holds a control character (a line break must be written \\n)", 1, 9),
        ("{\"a\": 01}", "expected ',' or '}' after a member, found '1'", 1, 8),
        ("{} x", "unexpected text after the JSON value", 1, 4),
        (String(repeating: "[", count: 300), "values are nested more than 256 deep", 1, 257),
    ])
    func aSyntaxErrorNamesLineAndColumn(text: String, message: String, line: Int, column: Int) {
        #expect {
            try JSONDocument(Array(text.utf8))
        } throws: { error in
            guard let error = error as? JSONDocument.SyntaxError else { return false }
            return error.message == message && error.position == SourcePosition(line: line, column: column)
        }
    }
}
