import Foundation
import RoostHTTP
import RoostTestSupport
import Synchronization
import Testing
@testable import RoostS3

@Suite struct CredentialChainTests {
    /// An environment with no AWS settings, shared files in a fresh folder, and IMDS switched off
    /// unless `imds` is given.
    func environment(_ extra: [String: String] = [:], imds: URL? = nil) -> [String: String] {
        let home = temporaryPath("home")
        var environment = ["HOME": home, "AWS_EC2_METADATA_DISABLED": imds == nil ? "true" : "false"]
        if let imds { environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.absoluteString }
        return environment.merging(extra) { $1 }
    }

    func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func environmentVariablesComeFirst() async throws {
        var env = environment(["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "env-secret", "AWS_SESSION_TOKEN": "env-token"])
        try write("[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = file-secret\n", to: env["HOME"]! + "/.aws/credentials")
        let credentials = try await AWSCredentialChain.standard(environment: env, http: HTTPClient()).credentials()
        #expect(credentials.accessKeyID == "AKIDENV")
        #expect(credentials.sessionToken == "env-token")
        #expect(credentials.source == "environment")
        #expect(!"\(credentials)".contains("env-secret"), "printing credentials never shows the secret")

        env["AWS_ACCESS_KEY_ID"] = nil
        await #expect(throws: AWSCredentialError("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")) {
            try await AWSCredentialChain.standard(environment: env, http: HTTPClient()).credentials()
        }
    }

    @Test func sharedFilesWithProfiles() async throws {
        var env = environment()
        let home = env["HOME"]!
        try write("""
            # comment
            [default]
            aws_access_key_id = AKIDDEFAULT
            aws_secret_access_key = default-secret

            [dev]
            aws_access_key_id=AKIDDEV
            aws_secret_access_key=dev-secret
            aws_session_token=dev-token
            """, to: home + "/.aws/credentials")
        try write("""
            [default]
            region = eu-west-1
            [profile from-config]
            region = ap-south-1
            aws_access_key_id = AKIDCONFIG
            aws_secret_access_key = config-secret
            s3 =
              addressing_style = path
            """, to: home + "/.aws/config")
        let chain = { AWSCredentialChain.standard(environment: env, http: HTTPClient()) }
        #expect(try await chain().credentials().accessKeyID == "AKIDDEFAULT")
        #expect(SharedConfigFiles(environment: env).region == "eu-west-1")

        env["AWS_PROFILE"] = "dev"
        let dev = try await chain().credentials()
        #expect(dev.accessKeyID == "AKIDDEV")
        #expect(dev.sessionToken == "dev-token")
        #expect(dev.source == "shared credentials file, profile dev")

        env["AWS_PROFILE"] = "from-config"
        #expect(try await chain().credentials().accessKeyID == "AKIDCONFIG")
        #expect(SharedConfigFiles(environment: env).region == "ap-south-1")

        env["AWS_PROFILE"] = "nope"
        let missing = await #expect(throws: AWSCredentialError.self) { try await chain().credentials() }
        #expect(missing?.description.contains("profile nope") == true)

        env["AWS_PROFILE"] = nil
        env["AWS_SHARED_CREDENTIALS_FILE"] = home + "/elsewhere"
        try write("[default]\naws_access_key_id = AKIDMOVED\naws_secret_access_key = s\n", to: home + "/elsewhere")
        #expect(try await chain().credentials().accessKeyID == "AKIDMOVED")
    }

    @Test func malformedFilesNameTheFileAndLine() async throws {
        let env = environment()
        try write("[default]\naws_access_key_id = A\nthis line is wrong\n", to: env["HOME"]! + "/.aws/credentials")
        let error = await #expect(throws: AWSCredentialError.self) {
            try await AWSCredentialChain.standard(environment: env, http: HTTPClient()).credentials()
        }
        #expect(error?.description == "\(env["HOME"]!)/.aws/credentials:3: expected [section] or key = value")
    }

    @Test func nothingConfiguredNamesEverySourceTried() async throws {
        let error = await #expect(throws: AWSCredentialError.self) {
            try await AWSCredentialChain.standard(environment: environment(), http: HTTPClient()).credentials()
        }
        #expect(error?.description.contains("environment, shared credentials file, profile default, instance profile (IMDSv2)") == true)
    }

    @Test func instanceProfileThroughIMDSv2IsRefreshedBeforeItExpires() async throws {
        let imds = try await ServerProcess.python("fake_imds.py", ["3600"])
        let http = HTTPClient()
        let fetches = { try await Int(String(decoding: http.send(HTTPRequest(url: imds.baseURL.appending(path: "__fetches__"))).body, as: UTF8.self))! }
        let clock = Mutex(Date())
        let env = environment(imds: imds.baseURL)
        let chain = AWSCredentialChain(sources: [
            EnvironmentCredentials(environment: env),
            SharedFileCredentials(files: SharedConfigFiles(environment: env)),
            InstanceMetadataCredentials(environment: env, http: http),
        ], refreshWindow: .seconds(300), now: { clock.withLock { $0 } })

        let first = try await chain.credentials()
        #expect(first.accessKeyID == "ASIAFAKE1")
        #expect(first.sessionToken == "token1")
        #expect(first.source == "instance profile (IMDSv2), role roost-worker")
        let expiration = try #require(first.expiration)
        #expect(try await chain.credentials() == first, "cached while far from expiry")
        #expect(try await fetches() == 1)

        clock.withLock { $0 = expiration.addingTimeInterval(-200) }
        let second = try await chain.credentials()
        #expect(second.accessKeyID == "ASIAFAKE2", "refreshed inside the 5-minute window")
        #expect(try await fetches() == 2)
    }

    @Test func noMetadataServiceMeansNoCredentialsNotAHang() async throws {
        let closed = try ClosedLoopbackPort()
        let env = environment(imds: URL(string: "http://127.0.0.1:\(closed.port)")!)
        let source = InstanceMetadataCredentials(environment: env, http: HTTPClient())
        #expect(try await source.load() == nil)
    }
}
