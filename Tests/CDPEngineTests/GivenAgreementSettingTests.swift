import CDPCore
import Foundation
import Testing

@testable import CDPEngine

/// `estimation.u_given` in matching.toml: read and checked like every other setting, and refused by `cdp spark run`,
/// whose driver draws no sample of pairs that agree.
@Suite struct GivenAgreementSettingTests {
    static func templateText() throws -> String {
        let template = try #require(WorkspaceInitializer.templateFolder).appendingPathComponent("governance/matching.toml")
        return try String(contentsOf: template, encoding: .utf8)
    }

    static func withGiven(_ text: String, _ setting: String) -> String {
        text.replacingOccurrences(of: "seed = 42\n", with: "seed = 42\nu_given = \(setting)\n")
    }

    @Test func theComparisonsToAgreeOnAreRead() throws {
        let text = try Self.templateText()
        #expect(try MatchingConfigurationLoader.load(tomlText: text, file: "matching.toml").estimation.uGiven == [])
        let one = try MatchingConfigurationLoader.load(tomlText: Self.withGiven(text, "\"first name\""), file: "matching.toml")
        #expect(one.estimation.uGiven == ["first name"])
        let two = try MatchingConfigurationLoader.load(
            tomlText: Self.withGiven(text, "[\"first name\", \"surname\"]"), file: "matching.toml")
        #expect(two.estimation.uGiven == ["first name", "surname"])
    }

    @Test func anUnknownComparisonOneWithoutAnExactLevelAndARepeatAreEachNamed() throws {
        var text = Self.withGiven(try Self.templateText(), "[\"first name\", \"given name\", \"first name\"]")
        // The e-mail comparison's exact level taken away: nothing to agree on.
        text = text.replacingOccurrences(
            of: "field = \"email\"\n  [[comparisons.levels]]\n  kind = \"null\"\n  [[comparisons.levels]]\n  kind = \"exact\"\n",
            with:
                "field = \"email\"\n  [[comparisons.levels]]\n  kind = \"null\"\n  [[comparisons.levels]]\n  kind = \"levenshtein\"\n  threshold = 1\n"
        )
        text = text.replacingOccurrences(
            of: "u_given = [\"first name\", \"given name\", \"first name\"]",
            with: "u_given = [\"first name\", \"given name\", \"first name\", \"email\"]")
        let error = #expect(throws: EngineError.self) { try MatchingConfigurationLoader.load(tomlText: text, file: "matching.toml") }
        let details = error?.details ?? []
        #expect(
            details.contains { $0.contains("estimation.u_given[1]: 'given name' is not a comparison's name (known: first name, surname") },
            "\(details)")
        #expect(details.contains { $0.contains("estimation.u_given[2]: 'first name' is named twice") }, "\(details)")
        #expect(details.contains { $0.contains("estimation.u_given[3]: 'email' has no `exact` level for pairs to agree on") }, "\(details)")
    }

    @Test func sparkRefusesWhatItDoesNotDoYet() throws {
        let workspace = try EngineFixture.customerWorkspace("given-spark", rules: EngineFixture.standardRules, files: [:])
        let matching = workspace.root.appendingPathComponent(MatchingConfigurationLoader.path)
        try Self.withGiven(try Self.templateText(), "\"first name\"").write(to: matching, atomically: true, encoding: .utf8)
        let error = #expect(throws: EngineError.self) {
            try SparkJob.plan(workspaceAt: workspace.root, cdp: "cdp", shipped: false, today: "2026-12-08")
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("estimation.u_given (first name) is not done on Spark yet") == true, "\(error?.message ?? "")")

        try Self.templateText().write(to: matching, atomically: true, encoding: .utf8)
        _ = try SparkJob.plan(workspaceAt: workspace.root, cdp: "cdp", shipped: false, today: "2026-12-08")
    }
}
