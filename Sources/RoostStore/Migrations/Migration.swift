import Foundation

/// One numbered migration file, `NNNN_name.sql`.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String

    public var fileName: String { String(format: "%04d_%@.sql", version, name) }

    /// Reads every `NNNN_name.sql` in `directory`, in version order. Any other `.sql` file, or two
    /// files with one version, is an error: a migration silently skipped is worse than none.
    public static func load(from directory: String) throws -> [Migration] {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw MigrationError("cannot read the migrations folder \(directory) (set database.migrations_dir)")
        }
        var migrations: [Migration] = []
        for file in files.sorted() where file.hasSuffix(".sql") {
            let stem = file.dropLast(4)
            let parts = stem.split(separator: "_", maxSplits: 1)
            guard parts.count == 2, parts[0].count == 4, let version = Int(parts[0]), version > 0 else {
                throw MigrationError("\(directory)/\(file): migration files are named NNNN_name.sql")
            }
            if let other = migrations.first(where: { $0.version == version }) {
                throw MigrationError("\(directory)/\(file): version \(version) is also used by \(other.fileName)")
            }
            guard let data = FileManager.default.contents(atPath: "\(directory)/\(file)") else {
                throw MigrationError("\(directory)/\(file): cannot read the file")
            }
            migrations.append(Migration(version: version, name: String(parts[1]), sql: String(decoding: data, as: UTF8.self)))
        }
        return migrations
    }
}

public struct MigrationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
