import Foundation
import Testing
@testable import RoostCore

@Suite struct DagBagTests {
    /// A fresh folder with `files`, removed by the caller's `defer`.
    func folder(_ files: [String: String]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dags-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(toFile: "\(path)/\(name)", atomically: true, encoding: .utf8)
        }
        return path
    }

    @Test func loadsEveryYAMLFileInNameOrderAndCollectsAllErrors() throws {
        let path = try folder([
            "b.yml": "dag_id: b\ntasks: [{task_id: t, type: noop}]\n",
            "a.yaml": "dag_id: a\ntasks: [{task_id: t, type: noop}]\n",
            "c.yaml": "dag_id: c\ntasks: [{task_id: t, type: nope}]\n",
            "d.yaml": "dag_id: d\nmax_active_runs: 0\ntasks: [{task_id: t, type: noop, upstream: [x]}]\n",
            "notes.txt": "not a DAG",
            ".e.yaml.swp": "editor swap file",
        ])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let bag = DagBag(folder: path, parser: TestTaskTypes.parser)
        #expect(bag.dags.map(\.dagID) == ["a", "b"])
        #expect(bag.dags[0].fileloc == "\(path)/a.yaml")
        #expect(bag.errors.map(\.description) == [
            "\(path)/c.yaml:2: dag 'c', task 't': unknown task type 'nope' (known types: command, fail, noop, sleep)",
            "\(path)/d.yaml:2: dag 'd': max_active_runs must be at least 1, not 0",
            "\(path)/d.yaml:3: dag 'd', task 't': unknown upstream task 'x' (tasks: t)",
        ])
    }

    @Test func duplicateDagIDAcrossFilesKeepsTheFirst() throws {
        let path = try folder([
            "one.yaml": "dag_id: same\ntasks: [{task_id: t, type: noop}]\n",
            "two.yaml": "# the same id again\ndag_id: same\ntasks: [{task_id: u, type: noop}]\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let bag = DagBag(folder: path, parser: TestTaskTypes.parser)
        #expect(bag.dags.map(\.tasks.first?.taskID) == ["t"])
        #expect(bag.errors.map(\.description) == ["\(path)/two.yaml:2: dag 'same': dag_id 'same' is already defined in \(path)/one.yaml:1"])
    }

    @Test func unreadableFolderIsAnErrorNamingIt() {
        let bag = DagBag(folder: "/nonexistent/dags", parser: TestTaskTypes.parser)
        #expect(bag.dags.isEmpty)
        #expect(bag.errors.count == 1)
        #expect(bag.errors[0].description.hasPrefix("/nonexistent/dags: cannot read the DAG folder ("))
    }

    @Test func emptyFolderHasNoDagsAndNoErrors() throws {
        let path = try folder([:])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let bag = DagBag(folder: path, parser: TestTaskTypes.parser)
        #expect(bag.dags.isEmpty && bag.errors.isEmpty)
    }

    @Test func theRepositoryDagsFolderIsValid() {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../config/dags").standardized.path
        // The pipeline's task types live in RoostRuntime; their params are checked by
        // `roost dags validate` in PipelineCLITests.
        let runtimeTypes = ["twitter_ingest", "kafka_consume", "kafka_produce", "s3_load"]
        let accept: TaskParamsValidator = { _ in }
        let validators = TestTaskTypes.validators.merging(runtimeTypes.map { ($0, accept) }) { first, _ in first }
        let bag = DagBag(folder: path, parser: DagParser(validators: validators))
        #expect(bag.errors.map(\.description) == [])
        #expect(Set(bag.dags.map(\.dagID)).isSuperset(of: ["example", "twitter_pipeline", "twitter_replay"]))
    }
}
