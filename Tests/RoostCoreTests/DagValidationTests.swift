import Testing
@testable import RoostCore

/// Every validation error, with its message. Line numbers count from the first line of the YAML.
@Suite struct DagValidationTests {
    @Test func cycleIsPrinted() {
        #expect(dagErrors("""
            dag_id: loop
            tasks:
              - task_id: a
                type: noop
                upstream: [c]
              - task_id: b
                type: noop
                upstream: [a]
              - task_id: c
                type: noop
                upstream: [b]
              - task_id: d
                type: noop
                upstream: [a]
            """) == ["dags/test.yaml:3: dag 'loop': cycle: a → b → c → a"])
    }

    @Test func taskUpstreamOfItselfIsACycle() {
        #expect(dagErrors("dag_id: self\ntasks:\n  - {task_id: a, type: noop, upstream: [a]}\n")
                == ["dags/test.yaml:3: dag 'self': cycle: a → a"])
    }

    @Test func longChainWithoutCycleIsFine() throws {
        let tasks = (0..<5000).map { i in
            i == 0 ? "  - {task_id: t0, type: noop}" : "  - {task_id: t\(i), type: noop, upstream: [t\(i - 1)]}"
        }
        let dag = try parseDag("dag_id: chain\ntasks:\n" + tasks.joined(separator: "\n"))
        #expect(dag.tasks.count == 5000)
    }

    @Test func unknownUpstreamListsTheTasks() {
        #expect(dagErrors("""
            dag_id: example
            tasks:
              - task_id: first
                type: noop
              - task_id: second
                type: noop
                upstream: [frist]
            """) == ["dags/test.yaml:7: dag 'example', task 'second': unknown upstream task 'frist' (tasks: first, second); did you mean 'first'?"])
    }

    @Test func upstreamNamedTwice() {
        #expect(dagErrors("dag_id: d\ntasks:\n  - {task_id: a, type: noop}\n  - {task_id: b, type: noop, upstream: [a, a]}\n")
                == ["dags/test.yaml:4: dag 'd', task 'b': upstream lists 'a' more than once"])
    }

    @Test func duplicateTaskID() {
        #expect(dagErrors("dag_id: d\ntasks:\n  - task_id: a\n    type: noop\n  - task_id: a\n    type: noop\n")
                == ["dags/test.yaml:5: dag 'd', task 'a': duplicate task_id 'a' (first at line 3)"])
    }

    @Test func unknownTaskType() {
        #expect(dagErrors("dag_id: d\ntasks:\n  - task_id: a\n    type: nop\n")
                == ["dags/test.yaml:4: dag 'd', task 'a': unknown task type 'nop' (known types: command, fail, noop, sleep); did you mean 'noop'?"])
        #expect(dagErrors("dag_id: d\ntasks:\n  - task_id: a\n")
                == ["dags/test.yaml:3: dag 'd', task 'a': missing type (known types: command, fail, noop, sleep)"])
    }

    @Test func invalidCron() {
        #expect(dagErrors("dag_id: d\nschedule: 0 25 * * *\nstart_date: 2026-11-01\ntasks: [{task_id: a, type: noop}]\n")
                == ["dags/test.yaml:2: dag 'd': invalid schedule: cron expression '0 25 * * *': hour field '25' has 25, outside 0-23"])
        #expect(dagErrors("dag_id: d\nschedule: \"@fortnightly\"\nstart_date: 2026-11-01\ntasks: [{task_id: a, type: noop}]\n")
                == ["dags/test.yaml:2: dag 'd': invalid schedule: unknown schedule preset '@fortnightly' (known: @annually, @daily, @hourly, @midnight, @monthly, @weekly, @yearly)"])
        #expect(dagErrors("dag_id: d\nschedule: every 10\nstart_date: 2026-11-01\ntasks: [{task_id: a, type: noop}]\n")
                == ["dags/test.yaml:2: dag 'd': invalid schedule: schedule 'every 10': '10' is not a duration of at least 1s (like 15m, 2h)"])
    }

    @Test func badDurations() {
        #expect(dagErrors("dag_id: d\ndefault_args: {retry_delay: 30}\ntasks:\n  - {task_id: a, type: noop, max_retry_delay: 10 minutes}\n") == [
            "dags/test.yaml:2: dag 'd': default_args.retry_delay must be a duration like 500ms, 30s, 10m, 2h, not '30'",
            "dags/test.yaml:4: dag 'd', task 'a': max_retry_delay must be a duration like 500ms, 30s, 10m, 2h, not '10 minutes'",
        ])
        #expect(dagErrors("dag_id: d\ntasks:\n  - {task_id: a, type: noop, execution_timeout: 0}\n")
                == ["dags/test.yaml:3: dag 'd', task 'a': execution_timeout must be longer than 0 (null means no limit)"])
    }

    @Test func negativeRetries() {
        #expect(dagErrors("dag_id: d\ndefault_args: {retries: -1}\ntasks:\n  - {task_id: a, type: noop, retries: -2}\n") == [
            "dags/test.yaml:2: dag 'd': default_args.retries must be at least 0, not -1",
            "dags/test.yaml:4: dag 'd', task 'a': retries must be at least 0, not -2",
        ])
        #expect(dagErrors("dag_id: d\ntasks:\n  - {task_id: a, type: noop, retries: 1.5}\n")
                == ["dags/test.yaml:3: dag 'd', task 'a': retries must be a whole number, not '1.5'"])
    }

    @Test func maxActiveRunsBelowOne() {
        #expect(dagErrors("dag_id: d\nmax_active_runs: 0\ntasks: [{task_id: a, type: noop}]\n")
                == ["dags/test.yaml:2: dag 'd': max_active_runs must be at least 1, not 0"])
    }

    @Test func startDateNotATimestamp() {
        let rule = "must be an ISO-8601 timestamp like 2026-11-01T00:00:00Z or 2026-11-01"
        #expect(dagErrors("dag_id: d\nstart_date: yesterday\ntasks: [{task_id: a, type: noop}]\n")
                == ["dags/test.yaml:2: dag 'd': start_date \(rule), not 'yesterday'"])
        #expect(dagErrors("dag_id: d\nstart_date: 2026-02-30T00:00:00Z\ntasks: [{task_id: a, type: noop}]\n")
                == ["dags/test.yaml:2: dag 'd': start_date \(rule), not '2026-02-30T00:00:00Z'"])
        #expect(dagErrors("dag_id: d\nstart_date: 2026-11-01T00:00:00\ntasks: [{task_id: a, type: noop}]\n")
                == ["dags/test.yaml:2: dag 'd': start_date \(rule), not '2026-11-01T00:00:00'"])
    }

    @Test func scheduleNeedsAStartDate() {
        #expect(dagErrors("dag_id: d\nschedule: \"@daily\"\ntasks: [{task_id: a, type: noop}]\n")
                == ["dags/test.yaml:2: dag 'd': start_date is required when a schedule is set (like start_date: 2026-11-01T00:00:00Z)"])
    }

    @Test func endDateBeforeStartDate() {
        #expect(dagErrors("dag_id: d\nstart_date: 2026-11-02\nend_date: 2026-11-01\ntasks: [{task_id: a, type: noop}]\n")
                == ["dags/test.yaml:3: dag 'd': end_date 2026-11-01T00:00:00Z is before start_date 2026-11-02T00:00:00Z"])
    }

    @Test func paramsATaskTypeRejects() {
        #expect(dagErrors("dag_id: d\ntasks:\n  - task_id: a\n    type: command\n    params: {argv: []}\n")
                == ["dags/test.yaml:5: dag 'd', task 'a': params.argv must be a non-empty list of strings"])
        #expect(dagErrors("dag_id: d\ntasks:\n  - task_id: a\n    type: command\n")
                == ["dags/test.yaml:3: dag 'd', task 'a': params.argv must be a non-empty list of strings"])
        #expect(dagErrors("dag_id: d\ntasks:\n  - {task_id: a, type: sleep, params: {second: 2}}\n")
                == ["dags/test.yaml:3: dag 'd', task 'a': params.second is not a parameter of this task type"])
        #expect(dagErrors("dag_id: d\ntasks:\n  - {task_id: a, type: sleep, params: [2]}\n")
                == ["dags/test.yaml:3: dag 'd', task 'a': params must be a mapping, not a list"])
        #expect(dagErrors("dag_id: d\ntasks:\n  - {task_id: a, type: sleep, params: {seconds: .nan}}\n")
                == ["dags/test.yaml:3: dag 'd', task 'a': params.seconds must be a finite number, not .nan"])
    }

    @Test func unknownKeysAreNamedWithACloseMatch() {
        #expect(dagErrors("dag_id: d\nschedul: null\ntasks: [{task_id: a, type: noop}]\n") == [
            "dags/test.yaml:2: dag 'd': unknown key 'schedul' (known: dag_id, description, schedule, start_date, end_date, catchup, max_active_runs, is_paused_upon_creation, default_args, tasks); did you mean 'schedule'?",
        ])
        let errors = dagErrors("dag_id: d\ndefault_args: {retires: 1, owner: me}\ntasks:\n  - {task_id: a, type: noop, upstreams: []}\n")
        #expect(errors.count == 3)
        #expect(errors[0].hasPrefix("dags/test.yaml:2: dag 'd': unknown key 'default_args.retires' (known: retries,"))
        #expect(errors[0].hasSuffix("; did you mean 'retries'?"))
        #expect(errors[1].hasPrefix("dags/test.yaml:2: dag 'd': unknown key 'default_args.owner' (known: retries,"))
        #expect(!errors[1].contains("did you mean"))
        #expect(errors[2].hasPrefix("dags/test.yaml:4: dag 'd', task 'a': unknown key 'upstreams' (known: task_id, type,"))
        #expect(errors[2].hasSuffix("did you mean 'upstream'?"))
    }

    @Test func wrongTypes() {
        #expect(dagErrors("dag_id: d\ncatchup: maybe\nis_paused_upon_creation: \"true\"\ntasks: [{task_id: a, type: noop, queue: [a]}]\n") == [
            "dags/test.yaml:2: dag 'd': catchup must be true or false, not 'maybe'",
            "dags/test.yaml:3: dag 'd': is_paused_upon_creation must be true or false, not 'true'",
            "dags/test.yaml:4: dag 'd', task 'a': queue must be text, not a list",
        ])
        #expect(dagErrors("dag_id: d\ndefault_args: [retries]\ntasks: {a: noop}\n") == [
            "dags/test.yaml:2: dag 'd': default_args must be a mapping, not a list",
            "dags/test.yaml:3: dag 'd': tasks must be a list of tasks, not a mapping",
        ])
    }

    @Test func missingAndMalformedIDs() {
        #expect(dagErrors("description: no id\ntasks: [{task_id: a, type: noop}]\n") == ["dags/test.yaml:1: missing dag_id"])
        #expect(dagErrors("dag_id: d\n") == ["dags/test.yaml:1: dag 'd': missing tasks: a DAG needs at least one task"])
        #expect(dagErrors("dag_id: d\ntasks: []\n") == ["dags/test.yaml:2: dag 'd': tasks must list at least one task"])
        #expect(dagErrors("dag_id: d\ntasks:\n  - type: noop\n") == ["dags/test.yaml:3: dag 'd': a task is missing task_id"])
        #expect(dagErrors("dag_id: my dag\ntasks: [{task_id: \"a/b\", type: noop}]\n") == [
            "dags/test.yaml:1: dag 'my dag': dag_id 'my dag' may only contain letters, digits, '_', '-' and '.' (at most 250)",
            "dags/test.yaml:2: dag 'my dag', task 'a/b': task_id 'a/b' may only contain letters, digits, '_', '-' and '.' (at most 250)",
        ])
    }

    @Test func invalidYAMLAndEmptyFiles() {
        let errors = dagErrors("dag_id: d\ntasks: [{task_id: a, type: noop}\n")
        #expect(errors.count == 1)
        #expect(errors[0].hasPrefix("dags/test.yaml:"))
        #expect(errors[0].contains("invalid YAML"))
        #expect(dagErrors("dag_id: d\ndag_id: e\ntasks: []\n") == ["dags/test.yaml:1: invalid YAML: duplicate key 'dag_id'"])
        #expect(dagErrors("") == ["dags/test.yaml: the file is empty; a DAG file is a mapping with at least dag_id and tasks"])
        #expect(dagErrors("- a\n") == ["dags/test.yaml:1: a DAG file must be a mapping with dag_id, tasks and the DAG's settings"])
    }

    @Test func everyErrorIsCollectedInLineOrder() {
        let (dag, errors) = TestTaskTypes.parser.parse(yaml: """
            dag_id: many
            schedule: 61 * * * *
            start_date: 2026-11-01
            max_active_runs: 0
            tasks:
              - task_id: a
                type: nope
                retries: -1
              - task_id: b
                type: noop
                upstream: [a, zzz]
              - task_id: b
                type: noop
            """, file: "dags/test.yaml")
        #expect(dag == nil)
        #expect(errors.map(\.line) == [2, 4, 7, 8, 11, 12])
        #expect(errors.allSatisfy { $0.dagID == "many" })
        #expect(errors.map(\.taskID) == [nil, nil, "a", "a", "b", "b"])
    }
}
