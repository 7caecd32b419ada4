import ArgumentParser
import Foundation
import RoostRuntime
import RoostS3

/// `roost s3 …`: look at the lake with the credentials and settings the workers use.
struct S3Command: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "s3", abstract: "List and copy lake objects with the workers' S3 settings and credentials.",
        subcommands: [List.self, Copy.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List objects under s3://BUCKET/PREFIX.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "s3://BUCKET/PREFIX") var location: S3Location
        @Flag(help: "List every object below the prefix instead of one level.") var recursive = false

        func run() async throws {
            let client = try TaskRegistry.s3Client(try global.bootstrap())
            var token: String?
            repeat {
                let page = try await client.listObjects(bucket: location.bucket, prefix: location.key,
                                                        delimiter: recursive ? nil : "/", continuationToken: token)
                for prefix in page.commonPrefixes { print("\(String(repeating: " ", count: 30))PRE \(prefix)") }
                for object in page.objects {
                    let date = object.lastModified.map { ISO8601DateFormatter().string(from: $0) } ?? "-"
                    print("\(date.padding(toLength: 20, withPad: " ", startingAt: 0)) \(String(object.size).leftPadded(12)) \(object.key)")
                }
                token = page.nextContinuationToken
            } while token != nil
        }
    }

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cp", abstract: "Copy a file to S3, an object to a file, or an object to another key (multipart when large).")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "A local path or s3://BUCKET/KEY") var source: String
        @Argument(help: "A local path or s3://BUCKET/KEY (ending in / keeps the source's name)") var destination: String

        func run() async throws {
            let client = try TaskRegistry.s3Client(try global.bootstrap())
            switch (S3Location(argument: source), S3Location(argument: destination)) {
            case (nil, nil):
                throw ValidationError("one of SOURCE and DESTINATION must be an s3:// location")
            case (nil, let target?):
                let target = target.naming(URL(fileURLWithPath: source).lastPathComponent)
                guard FileManager.default.fileExists(atPath: source) else { throw ValidationError("\(source) does not exist") }
                let result = try await client.upload(bucket: target.bucket, key: target.key, payload: try .file(source))
                print("upload: \(source) to \(target) (\(result.size) bytes, \(result.parts) part(s))")
            case (let origin?, nil):
                var path = destination
                var isFolder: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
                    path += "/" + (origin.key.split(separator: "/").last.map(String.init) ?? origin.bucket)
                }
                // As `aws s3 cp`: the file's folder is made when missing (a DAG's staging folder on a fresh worker).
                try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(),
                                                        withIntermediateDirectories: true)
                let object = try await client.getObject(bucket: origin.bucket, key: origin.key, toFile: path)
                print("download: \(origin) to \(path) (\(object.size) bytes)")
            case (let origin?, let target?):
                let target = target.naming(origin.key.split(separator: "/").last.map(String.init) ?? "")
                try await client.copyObject(from: (origin.bucket, origin.key), to: target.bucket, key: target.key)
                print("copy: \(origin) to \(target)")
            }
        }
    }
}

/// `s3://bucket/key`.
struct S3Location: ExpressibleByArgument, CustomStringConvertible {
    let bucket: String
    let key: String

    init?(argument: String) {
        guard argument.hasPrefix("s3://") else { return nil }
        let rest = argument.dropFirst(5)
        let bucket = rest.prefix { $0 != "/" }
        guard !bucket.isEmpty else { return nil }
        self.bucket = String(bucket)
        key = String(rest.dropFirst(bucket.count + 1))
    }

    init(bucket: String, key: String) {
        self.bucket = bucket
        self.key = key
    }

    /// A location ending in "/" (or the bare bucket) names a folder: the object gets `name` in it.
    func naming(_ name: String) -> S3Location {
        key.isEmpty || key.hasSuffix("/") ? S3Location(bucket: bucket, key: key + name) : self
    }

    var description: String { "s3://\(bucket)/\(key)" }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
