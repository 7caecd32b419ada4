import Foundation
import Logging
import RoostCore
import RoostPostgres
import RoostRuntime
import RoostStore

/// A migrated database with stores and an in-process scheduler over DAGs built in code.
public struct Fleet: Sendable {
    public let database: TestDatabase
    public let pool: PostgresPool
    public var runs: RunStore { RunStore(pool: pool) }
    public var dags: DagStore { DagStore(pool: pool) }
    public var queue: TaskQueueStore { TaskQueueStore(pool: pool) }

    public static func create() async throws -> Fleet {
        let database = try await TestDatabase.create(migrated: true)
        return Fleet(database: database, pool: PostgresPool(settings: database.settings, size: 4))
    }

    public func scheduler(_ dags: [DagDefinition]) -> Scheduler {
        Scheduler(pollInterval: .milliseconds(200), settings: database.settings,
                  pool: PostgresPool(settings: database.settings, size: 2), source: { (dags, []) },
                  logger: Logger(label: "test.scheduler"))
    }

    /// Stores `dag` and creates `count` manual runs of it, a minute apart from `start`.
    @discardableResult
    public func trigger(_ dag: DagDefinition, runs count: Int = 1, start: Date = Date(timeIntervalSince1970: 1_790_000_000)) async throws -> [RunStore.Run] {
        let hash = try await dags.sync(dag)
        var created: [RunStore.Run] = []
        for i in 0..<count {
            let date = start.addingTimeInterval(Double(i) * 60)
            guard let run = try await runs.create(dag: dag, definitionHash: hash, type: .manual, runID: RunStore.runID(.manual, date),
                                                  interval: DataInterval(start: date, end: date)) else {
                throw TestSupportError("run \(i) already exists")
            }
            created.append(run)
        }
        return created
    }

    public func scalar<T: PostgresDecodable>(_ sql: String, _ values: any PostgresEncodable..., as type: T.Type = T.self) async throws -> T {
        try await pool.query(sql, binds: values.map(\.postgresBind))[0].decode(at: 0, as: T.self)
    }

    /// Runs scheduler ticks until `condition` holds.
    public func drive(_ scheduler: Scheduler, timeout: Duration = .seconds(60), _ what: String,
                      until condition: () async throws -> Bool) async throws {
        try await eventually(timeout: timeout, every: .milliseconds(200), what) {
            _ = try await scheduler.runOnce()
            return try await condition()
        }
    }
}

extension DagDefinition {
    /// A DAG for tests: tasks without upstreams unless given.
    public static func test(_ id: String, schedule: Schedule? = nil, start: Date = Date(timeIntervalSince1970: 1_790_000_000),
                            catchup: Bool = false, maxActiveRuns: Int = 1000, tasks: [TaskDefinition]) -> DagDefinition {
        DagDefinition(dagID: id, schedule: schedule, startDate: start, catchup: catchup, maxActiveRuns: maxActiveRuns, tasks: tasks)
    }
}
