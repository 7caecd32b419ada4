import Foundation
import RoostCore
import Synchronization

/// The DAG files of a folder, parsed again only when a file is added, removed or changed, so the
/// scheduler can ask every tick without re-reading YAML every second.
public final class DagFolder: Sendable {
    private struct Snapshot: Sendable {
        var stamp: [String: Date] = [:]
        var dags: [DagDefinition] = []
        var errors: [String] = []
    }

    public let path: String
    private let parser: DagParser
    private let cache = Mutex(Snapshot())

    public init(path: String, registry: TaskRegistry) {
        self.path = path
        self.parser = DagParser(validators: registry.validators)
    }

    /// Valid DAGs and the errors of invalid files (each naming file, line, DAG and task).
    public func load() -> (dags: [DagDefinition], errors: [String]) {
        let stamp = currentStamp()
        if let cached = cache.withLock({ $0.stamp == stamp && !stamp.isEmpty ? ($0.dags, $0.errors) : nil }) {
            return cached
        }
        let bag = DagBag(folder: path, parser: parser)
        let errors = bag.errors.map(\.description)
        cache.withLock { $0 = Snapshot(stamp: stamp, dags: bag.dags, errors: errors) }
        return (bag.dags, errors)
    }

    public var source: DagSource { { self.load() } }

    private func currentStamp() -> [String: Date] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        var stamp: [String: Date] = [:]
        for file in files where file.hasSuffix(".yaml") || file.hasSuffix(".yml") {
            let attributes = try? FileManager.default.attributesOfItem(atPath: "\(path)/\(file)")
            stamp[file] = attributes?[.modificationDate] as? Date ?? .distantPast
        }
        return stamp
    }
}
