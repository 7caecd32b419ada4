import Foundation
import RoostS3
import RoostTestSupport
import Testing

@Suite struct S3CommandTests {
    @Test func copiesBothWaysAndLists() async throws {
        let moto = try await Moto.server
        let bucket = Moto.bucket()
        try await Moto.client(endpoint: moto.baseURL).createBucket(bucket)
        let environment = Moto.environment(endpoint: moto.baseURL, bucket: bucket)
        let folder = temporaryPath("cli")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let data = patternData(20 * 1024 * 1024 + 3)
        try data.write(to: URL(fileURLWithPath: folder + "/big.bin"))

        let up = try await ProcessRunner.roost(["s3", "cp", folder + "/big.bin", "s3://\(bucket)/in/"], environment: environment)
        #expect(up.status == 0, "\(up.stderr)")
        #expect(up.stdout.contains("to s3://\(bucket)/in/big.bin (20971523 bytes, 3 part(s))"))
        let copy = try await ProcessRunner.roost(["s3", "cp", "s3://\(bucket)/in/big.bin", "s3://\(bucket)/copies/big.bin"], environment: environment)
        #expect(copy.status == 0, "\(copy.stderr)")

        let top = try await ProcessRunner.roost(["s3", "ls", "s3://\(bucket)/"], environment: environment)
        #expect(top.stdout.contains("PRE copies/"))
        #expect(top.stdout.contains("PRE in/"))
        let all = try await ProcessRunner.roost(["s3", "ls", "--recursive", "s3://\(bucket)/"], environment: environment)
        #expect(all.stdout.contains("20971523 in/big.bin"))

        let down = try await ProcessRunner.roost(["s3", "cp", "s3://\(bucket)/copies/big.bin", folder + "/back.bin"], environment: environment)
        #expect(down.status == 0, "\(down.stderr)")
        #expect(FileManager.default.contentsEqual(atPath: folder + "/big.bin", andPath: folder + "/back.bin"))
    }

    @Test func badLocationsAndMissingObjectsFailClearly() async throws {
        let moto = try await Moto.server
        let bucket = Moto.bucket()
        try await Moto.client(endpoint: moto.baseURL).createBucket(bucket)
        let environment = Moto.environment(endpoint: moto.baseURL, bucket: bucket)
        let local = try await ProcessRunner.roost(["s3", "cp", "/tmp/a", "/tmp/b"], environment: environment)
        #expect(local.status != 0)
        #expect(local.stderr.contains("one of SOURCE and DESTINATION must be an s3:// location"))
        let missing = try await ProcessRunner.roost(["s3", "cp", "s3://\(bucket)/nope", temporaryPath("nope")], environment: environment)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("GET s3://\(bucket)/nope failed: NoSuchKey"))
        let secretless = try await ProcessRunner.roost(["s3", "ls", "s3://\(bucket)/"], environment: environment.merging([
            "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "HOME": temporaryPath("home"),
        ]) { $1 })
        #expect(secretless.status != 0)
        #expect(secretless.stderr.contains("no AWS credentials found"))
    }
}
