import Foundation
import Testing
@testable import RoostCore

@Suite struct DagParserTests {
    static let example = """
        dag_id: example
        description: text
        schedule: "@hourly"
        start_date: 2026-11-01T00:00:00Z
        end_date: null
        catchup: false
        max_active_runs: 1
        is_paused_upon_creation: false
        default_args: {retries: 3, retry_delay: 30s, retry_exponential_backoff: true, max_retry_delay: 10m,
                       execution_timeout: 15m, queue: default, priority_weight: 1}
        tasks:
          - task_id: first
            type: noop
          - task_id: second
            type: command
            upstream: [first]
            params: {argv: ["/bin/echo", "hello"]}
            retries: 1
        """

    @Test func parsesTheFullExample() throws {
        let dag = try parseDag(Self.example)
        #expect(dag.dagID == "example")
        #expect(dag.description == "text")
        #expect(dag.schedule == .cron(try CronExpression("0 * * * *")))
        #expect(dag.startDate == utc("2026-11-01T00:00:00Z"))
        #expect(dag.endDate == nil)
        #expect(dag.catchup == false)
        #expect(dag.maxActiveRuns == 1)
        #expect(dag.isPausedUponCreation == false)
        #expect(dag.fileloc == "dags/test.yaml")
        #expect(dag.tasks.map(\.taskID) == ["first", "second"])
        let defaults = TaskArgs(retries: 3, retryDelay: .seconds(30), retryExponentialBackoff: true,
                                maxRetryDelay: .seconds(600), executionTimeout: .seconds(900), queue: "default", priorityWeight: 1)
        #expect(dag.tasks[0] == TaskDefinition(taskID: "first", type: "noop", args: defaults))
        var secondArgs = defaults
        secondArgs.retries = 1
        #expect(dag.tasks[1] == TaskDefinition(taskID: "second", type: "command", upstream: ["first"],
                                               params: .object(["argv": .array([.string("/bin/echo"), .string("hello")])]),
                                               args: secondArgs))
    }

    @Test func absentKeysTakeTheModelDefaults() throws {
        let dag = try parseDag("dag_id: minimal\ntasks:\n  - {task_id: only, type: noop}\n")
        let reference = DagDefinition(dagID: "minimal", schedule: nil, startDate: Date(timeIntervalSince1970: 0),
                                      tasks: [TaskDefinition(taskID: "only", type: "noop")], fileloc: "dags/test.yaml")
        #expect(dag == reference)
        #expect(dag.tasks[0].args == TaskArgs())
        #expect(dag.tasks[0].params == .object([:]))
    }

    @Test func taskArgsOverlayDefaultArgs() throws {
        let dag = try parseDag("""
            dag_id: overlay
            default_args: {retries: 2, queue: ingest, execution_timeout: 5m}
            tasks:
              - task_id: inherits
                type: noop
              - task_id: overrides
                type: noop
                retries: 0
                queue: lake
                retry_delay: 1h30m
                retry_exponential_backoff: yes
                max_retry_delay: 2h
                priority_weight: -3
              - task_id: no_limit
                type: noop
                execution_timeout: null
            """)
        let base = TaskArgs()
        #expect(dag.tasks[0].args == TaskArgs(retries: 2, retryDelay: base.retryDelay, maxRetryDelay: base.maxRetryDelay,
                                              executionTimeout: .seconds(300), queue: "ingest"))
        #expect(dag.tasks[1].args == TaskArgs(retries: 0, retryDelay: .seconds(5400), retryExponentialBackoff: true,
                                              maxRetryDelay: .seconds(7200), executionTimeout: .seconds(300), queue: "lake",
                                              priorityWeight: -3))
        #expect(dag.tasks[2].args.executionTimeout == nil)
        #expect(dag.tasks[2].args.retries == 2)
    }

    @Test func paramsBecomeJSONWithYAMLTypes() throws {
        let dag = try parseDag("""
            dag_id: types
            tasks:
              - task_id: t
                type: any
                params:
                  int: 42
                  negative: -7
                  float: 2.5
                  exponent: 1e3
                  yes_bool: true
                  quoted: "42"
                  text: hello
                  nothing: null
                  list: [1, two, 3.0]
                  nested: {a: {b: [false]}}
                  when: 2026-11-01
            """, validators: ["any": { _ in }])
        #expect(dag.tasks[0].params == .object([
            "int": .int(42), "negative": .int(-7), "float": .double(2.5), "exponent": .double(1000),
            "yes_bool": .bool(true), "quoted": .string("42"), "text": .string("hello"), "nothing": .null,
            "list": .array([.int(1), .string("two"), .double(3)]),
            "nested": .object(["a": .object(["b": .array([.bool(false)])])]),
            "when": .string("2026-11-01"),
        ]))
    }

    @Test func scheduleForms() throws {
        func schedule(_ text: String) throws -> Schedule? {
            try parseDag("dag_id: s\nschedule: \(text)\nstart_date: 2026-11-01\ntasks: [{task_id: t, type: noop}]\n").schedule
        }
        #expect(try schedule("\"@daily\"") == .cron(try CronExpression("0 0 * * *")))
        #expect(try schedule("\"*/15 * * * *\"") == .cron(try CronExpression("*/15 * * * *")))
        #expect(try schedule("0 9 * * 1-5") == .cron(try CronExpression("0 9 * * 1-5")))
        #expect(try schedule("every 15m") == .every(.seconds(900)))
        #expect(try schedule("null") == nil)
    }

    @Test func timestampsAcceptOffsetsAndDates() {
        #expect(DagFileReader.parseTimestamp("2026-11-01T02:00:00+02:00") == utc("2026-11-01T00:00:00Z"))
        #expect(DagFileReader.parseTimestamp("2026-11-01") == utc("2026-11-01T00:00:00Z"))
        #expect(DagFileReader.parseTimestamp("2026-11-01T00:00:00.750Z") == utc("2026-11-01T00:00:00Z"))
        #expect(DagFileReader.parseTimestamp("2024-02-29T12:00:00Z") != nil)
        for bad in ["2026-11-01T00:00:00", "2026-02-30T00:00:00Z", "2026-11-01T24:00:00Z", "2026-11-01 00:00:00Z",
                    "01/11/2026", "2026-11-01T00:00Z", "tomorrow"] {
            #expect(DagFileReader.parseTimestamp(bad) == nil, "\(bad)")
        }
    }

    @Test func serializedFormIsStable() throws {
        let first = try parseDag(Self.example)
        let second = try parseDag(Self.example)
        #expect(first.serialized() == second.serialized())
        // Mapping order in the file does not matter: keys are sorted.
        let reordered = try parseDag(Self.example.replacingOccurrences(
            of: "params: {argv: [\"/bin/echo\", \"hello\"]}", with: "params: {env: {B: \"2\", A: \"1\"}, argv: [\"/bin/echo\", \"hello\"]}"))
        let again = try parseDag(Self.example.replacingOccurrences(
            of: "params: {argv: [\"/bin/echo\", \"hello\"]}", with: "params: {argv: [\"/bin/echo\", \"hello\"], env: {A: \"1\", B: \"2\"}}"))
        #expect(reordered.serialized() == again.serialized())
        #expect(first.serialized().contains(#""dag_id":"example""#))
        #expect(first.serialized().contains(#""schedule":"0 * * * *""#))
        #expect(first.serialized().contains(#""start_date":"2026-11-01T00:00:00Z""#))
    }

    @Test func serializedFormRoundTrips() throws {
        let dag = try parseDag(Self.example.replacingOccurrences(of: "\"@hourly\"", with: "every 15m"))
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let decoded = try decoder.decode(DagDefinition.self, from: Data(dag.serialized().utf8))
        #expect(decoded == dag)
        #expect(decoded.serialized() == dag.serialized())
    }

    @Test func exampleFileInTheRepositoryValidates() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../config/dags/example.yaml").standardized.path
        let (dag, errors) = TestTaskTypes.parser.parse(file: path)
        #expect(errors.map(\.description) == [])
        #expect(dag?.tasks.map(\.type) == ["noop", "command", "sleep", "noop"])
        #expect(dag?.tasks.last?.upstream == ["say_hello", "nap"])
    }
}

/// Parses with a validator table of the test's own.
func parseDag(_ yaml: String, validators: [String: TaskParamsValidator]) throws -> DagDefinition {
    let (dag, errors) = DagParser(validators: validators).parse(yaml: yaml, file: "dags/test.yaml")
    guard let dag else { throw TestTaskTypes.ParamError(description: errors.map(\.description).joined(separator: "\n")) }
    return dag
}
