import Testing
@testable import RoostCore

@Suite struct DurationParserTests {
    @Test(arguments: [
        ("500ms", Duration.milliseconds(500)), ("30s", .seconds(30)), ("10m", .seconds(600)),
        ("2h", .seconds(7200)), ("1d", .seconds(86_400)), ("1h30m", .seconds(5400)), ("1.5s", .milliseconds(1500)),
        ("0", .zero),
    ])
    func parsesUnits(text: String, expected: Duration) {
        #expect(DurationParser.parse(text) == expected)
    }

    @Test(arguments: ["", "10", "5 minutes", "10x", "m", "-5s", "1h-"])
    func rejectsMalformed(text: String) {
        #expect(DurationParser.parse(text) == nil)
    }

    @Test func formatsBackToParsableText() {
        for d: Duration in [.seconds(90), .milliseconds(1500), .seconds(7200), .zero] {
            #expect(DurationParser.parse(DurationParser.format(d)) == d)
        }
        #expect(DurationParser.format(.seconds(90)) == "1m30s")
    }
}
