import Foundation
import Testing

/// `cdp quarantine claim|assign|unassign|holds` (and the same under `cdp candidates`): who is on what, audited; an
/// item someone else holds is refused (exit 16) unless `--take-over`.
struct WorkCommandsCLITests {
    @Test func recordsAreClaimedAssignedTakenOverAndUnassigned() throws {
        let ws = try QuarantineReopenCLITests.workspace("work-claims")
        let claimed = try CLI.run(["quarantine", "claim", "Q1", "--as", "sam"] + ws)
        #expect(claimed.status == 0, "\(claimed.stderr)")
        #expect(claimed.stdout.contains("claimed by sam for 30 minutes: Q1"), "\(claimed.stdout)")

        let holds = try CLI.run(["quarantine", "holds"] + ws)
        #expect(holds.stdout.contains("Q1    sam    claim"), "\(holds.stdout)")
        #expect(holds.stdout.contains("1 held"))

        // Someone else's claim is respected by every action.
        let rejected = try CLI.run(["quarantine", "reject", "Q1", "--reason", "duplicate", "--as", "tom"] + ws)
        #expect(rejected.status == 16, "\(rejected.stderr)")
        #expect(rejected.stderr.contains("Q1 is claimed by sam until"), "\(rejected.stderr)")
        let assign = try CLI.run(["quarantine", "assign", "Q1", "--to", "tom", "--as", "lee"] + ws)
        #expect(assign.status == 16)

        let takenOver = try CLI.run(["quarantine", "assign", "Q1", "--to", "tom", "--take-over", "--as", "lee"] + ws)
        #expect(takenOver.status == 0, "\(takenOver.stderr)")
        #expect(takenOver.stdout.contains("assigned to tom: Q1") && takenOver.stdout.contains("taken over from sam"), "\(takenOver.stdout)")
        let json = try CLI.run(["quarantine", "holds", "--owner", "tom", "--json"] + ws)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 1 && rows.first?["hold"] as? String == "assignment" && rows.first?["by"] as? String == "lee")

        // sam acts on tom's record only with --take-over, and the take-over is audited.
        #expect(try CLI.run(["quarantine", "reject", "Q1", "--reason", "duplicate", "--as", "sam"] + ws).status == 16)
        let decided = try CLI.run(["quarantine", "reject", "Q1", "--reason", "duplicate", "--take-over", "--as", "sam"] + ws)
        #expect(decided.status == 0, "\(decided.stderr)")
        let audit = try CLI.run(["audit", "list", "--target", "Q1"] + ws)
        // The assignment that took Q1 from sam is a take-over, and so is sam's reject of the record tom holds.
        for action in ["work.claim", "work.take_over", "quarantine.reject"] {
            #expect(audit.stdout.contains(action), "\(action) missing from:\n\(audit.stdout)")
        }

        // The reject ended tom's assignment: a decision ends the work on a record (audited).
        #expect(audit.stdout.contains("work.release"), "\(audit.stdout)")
        #expect(try CLI.run(["quarantine", "holds"] + ws).stdout.contains("0 held"))
        #expect(try CLI.run(["quarantine", "unassign", "Q1"] + ws).stdout.contains("already so: Q1"))
        #expect(try CLI.run(["quarantine", "claim", "Q1", "--as", "sam"] + ws).status == 0)
        let unassigned = try CLI.run(["quarantine", "unassign", "Q1", "--as", "sam"] + ws)
        #expect(unassigned.status == 0 && unassigned.stdout.contains("unassigned: Q1"), "\(unassigned.stdout)\(unassigned.stderr)")
        #expect(try CLI.run(["quarantine", "holds"] + ws).stdout.contains("0 held"))

        let missing = try CLI.run(["quarantine", "claim", "Q99"] + ws)
        #expect(missing.status == 7 && missing.stderr.contains("no such record or pair: Q99"), "\(missing.stderr)")
        let badID = try CLI.run(["candidates", "claim", "Q1"] + ws)
        #expect(badID.status != 0 && badID.stderr.contains("not a candidate id"), "\(badID.stderr)")
    }
}

extension WorkCommandsCLITests {
    @Test func aCommentThreadIsAddedListedAndShownWithTheRecord() throws {
        let ws = try QuarantineReopenCLITests.workspace("work-comments")
        let added = try CLI.run(["quarantine", "comment", "Q1", "--text", "called the customer; new e-mail tomorrow", "--as", "sam"] + ws)
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.hasPrefix("commented on Q1 as sam at "), "\(added.stdout)")
        let thread = try CLI.run(["quarantine", "comment", "Q1"] + ws)
        #expect(thread.stdout.contains("sam: called the customer; new e-mail tomorrow"), "\(thread.stdout)")
        #expect(try CLI.run(["quarantine", "claim", "Q1", "--as", "sam"] + ws).status == 0)
        let show = try CLI.run(["quarantine", "show", "Q1"] + ws)
        #expect(show.stdout.contains("held: claimed by sam until"), "\(show.stdout)")
        #expect(show.stdout.contains("comments:\n  ") && show.stdout.contains("sam: called the customer"), "\(show.stdout)")
        let empty = try CLI.run(["quarantine", "comment", "Q1", "--text", " "] + ws)
        #expect(empty.status == 8 && empty.stderr.contains("needs text"), "\(empty.stderr)")
        #expect(try CLI.run(["audit", "list", "--action", "work.comment"] + ws).stdout.contains("Q1"))
    }
}

extension WorkCommandsCLITests {
    @Test func aSavedViewListsItsRecordsWithItsColumns() throws {
        let ws = try QuarantineReopenCLITests.workspace("saved-views")
        let saved = try CLI.run(["quarantine", "list", "--rule", "email_format", "--save-view", "bad-emails"] + ws)
        #expect(saved.status == 0, "\(saved.stderr)")
        #expect(saved.stdout.contains("view bad-emails: rule email_format · open,fixed · every column"), "\(saved.stdout)")
        let listed = try CLI.run(["quarantine", "list", "--view", "bad-emails", "--json"] + ws)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: String]])
        #expect(rows.count == 1 && rows.first?["id"] == "Q1" && rows.first?["failing value"] == "bob at example.com", "\(listed.stdout)")
        // Views are per user.
        let other = try CLI.run(["quarantine", "list", "--view", "bad-emails", "--as", "sam"] + ws)
        #expect(other.status == 7 && other.stderr.contains("no saved view 'bad-emails'"), "\(other.stderr)")
    }
}

extension WorkCommandsCLITests {
    /// `-` reads the ids from standard input, so thousands of records need not be arguments.
    @Test func assignTakesTheIDsFromStandardInputWithADash() throws {
        let ws = try QuarantineReopenCLITests.workspace("work-stdin")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let command = ([try CLI.executable.path, "quarantine", "assign", "-", "--to", "sam", "--as", "lee"] + ws)
            .map { "'\($0)'" }.joined(separator: " ")
        process.arguments = ["-c", "printf 'Q1,\\n  ' | \(command)"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0 && stdout.contains("assigned to sam: Q1"), "\(stdout)")
        #expect(try CLI.run(["quarantine", "holds"] + ws).stdout.contains("Q1    sam    assignment"))
    }
}

extension WorkCommandsCLITests {
    /// `cdp quarantine assign --rule R --to USER`: every held record of a selection, previewed first (how many, who holds
    /// which), then assigned with `--yes` as one action: one transaction, a `work.assign` row each and one `work.bulk.assign`.
    @Test func everyRecordOfASelectionIsAssignedAfterAPreview() throws {
        let ws = try QuarantineReopenCLITests.workspace("assign-selection")
        let folder = try #require(ws.last)
        try "id,first,last,email\nC3,Cy,Moss,cy at example.com\nC4,Di,Ray,di@@example.com\nC5,Ed,Fox,ed@example.com\n"
            .write(toFile: folder + "/inbox/customers2.csv", atomically: true, encoding: .utf8)
        #expect(try CLI.run(["run"] + ws).status == 0)
        #expect(try CLI.run(["quarantine", "claim", "Q1", "--as", "sam"] + ws).status == 0)

        let preview = try CLI.run(["quarantine", "assign", "--rule", "email_format", "--to", "tom", "--as", "lee"] + ws)
        #expect(preview.status == 0, "\(preview.stderr)")
        #expect(preview.stdout.contains("assign to tom: 3 held records matching rule email_format"), "\(preview.stdout)")
        #expect(preview.stdout.contains("held by others: 1 held by sam (refused without --take-over)"), "\(preview.stdout)")
        #expect(preview.stdout.contains("nothing changed; add --yes to apply"))
        #expect(try CLI.run(["quarantine", "holds", "--owner", "tom"] + ws).stdout.contains("0 held"))

        // sam's claim is respected: refused as a whole, nothing assigned.
        let refused = try CLI.run(["quarantine", "assign", "--rule", "email_format", "--to", "tom", "--yes", "--as", "lee"] + ws)
        #expect(refused.status == 16, "\(refused.stdout)\(refused.stderr)")
        #expect(try CLI.run(["quarantine", "holds", "--owner", "tom"] + ws).stdout.contains("0 held"))

        let assigned = try CLI.run(["quarantine", "assign", "--rule", "email_format", "--to", "tom", "--yes", "--take-over", "--as", "lee"] + ws)
        #expect(assigned.status == 0, "\(assigned.stderr)")
        #expect(assigned.stdout.contains("3 records assigned to tom, 0 already so, 1 taken over"), "\(assigned.stdout)")
        #expect(try CLI.run(["quarantine", "holds", "--owner", "tom"] + ws).stdout.contains("3 held"))
        let bulk = try CLI.run(["audit", "list", "--action", "work.bulk.assign"] + ws)
        #expect(bulk.stdout.contains("3 records (Q1…Q3)"), "\(bulk.stdout)")
        #expect(bulk.stdout.contains("3 matching rule email_format"), "\(bulk.stdout)")
        #expect(try CLI.run(["audit", "list", "--action", "work.assign"] + ws).stdout.contains("Q2"))

        // A source selects too; pairs are named, not selected.
        let bySource = try CLI.run(["quarantine", "assign", "--source", "crm", "--to", "tom", "--as", "lee"] + ws)
        #expect(bySource.stdout.contains("already assigned to tom: 3"), "\(bySource.stdout)")
        let pairs = try CLI.run(["candidates", "assign", "--rule", "email_format", "--to", "tom"] + ws)
        #expect(pairs.status != 0 && pairs.stderr.contains("name the pairs"), "\(pairs.stderr)")
        let nothing = try CLI.run(["quarantine", "assign", "--search", "nobody-has-this", "--to", "tom", "--as", "lee"] + ws)
        #expect(nothing.status != 0 && nothing.stderr.contains("nothing to assign"), "\(nothing.stderr)")
    }
}
