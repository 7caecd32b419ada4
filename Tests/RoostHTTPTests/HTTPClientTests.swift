import Foundation
import RoostHTTP
import RoostTestSupport
import Synchronization
import Testing

@Suite struct HTTPClientTests {
    let client = HTTPClient()

    struct Echo: Decodable {
        let method: String
        let query: String
        let headers: [String: String]
        let clientPort: Int
        var body = Data()
        enum CodingKeys: String, CodingKey { case method, query, headers, clientPort = "client_port" }
    }

    func echo(_ server: ServerProcess, method: String, body: HTTPRequest.Body, headers: HTTPHeaders = [:]) async throws -> Echo {
        let response = try await client.send(HTTPRequest(method: method, url: server.baseURL.appending(path: "echo"),
                                                         headers: headers, body: body))
        #expect(response.status == 200)
        var echo = try JSONDecoder().decode(Echo.self, from: Data(response.headers["x-echo"]!.utf8))
        echo.body = response.body
        return echo
    }

    @Test func returnsStatusHeadersAndBodyWithCaseInsensitiveLookup() async throws {
        let server = try await ServerProcess.python("http_test_server.py")
        let response = try await client.send(HTTPRequest(url: server.baseURL.appending(path: "status/201")))
        #expect(response.status == 201)
        #expect(response.headers["x-MIXED-case"] == "yes")
        #expect(response.headers.values("set-cookie") == ["a=1", "b=2"])
        #expect(String(decoding: response.body, as: UTF8.self) == "status 201")
        let missing = try await client.send(HTTPRequest(url: server.baseURL.appending(path: "status/503")))
        #expect(missing.status == 503, "any status is a response, not an error")
    }

    @Test func sendsDataBodiesAndHeadersWithoutExpectContinue() async throws {
        let server = try await ServerProcess.python("http_test_server.py")
        let body = Data((0..<3_000_000).map { UInt8($0 % 256) })
        let echo = try await echo(server, method: "PUT", body: .data(body), headers: ["X-Roost-Test": "one"])
        #expect(echo.method == "PUT")
        #expect(echo.body == body)
        #expect(echo.headers["x-roost-test"] == "one")
        #expect(echo.headers["expect"] == nil)
    }

    @Test func sendsASliceOfAFile() async throws {
        let server = try await ServerProcess.python("http_test_server.py")
        let data = Data((0..<100_000).map { UInt8($0 % 253) })
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("roost-http-\(UUID()).bin").path
        try data.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let slice = try await echo(server, method: "PUT", body: .file(path: path, offset: 10, length: 70_000))
        #expect(slice.body == data[10..<70_010])
        let rest = try await echo(server, method: "POST", body: .file(path: path, offset: 99_000))
        #expect(rest.body == data[99_000...])
        await #expect(throws: HTTPBodyError.self) {
            try await client.send(HTTPRequest(method: "PUT", url: server.baseURL, body: .file(path: path, offset: 10, length: 100_000)))
        }
    }

    @Test func streamsABodyOfUnknownLengthChunked() async throws {
        let server = try await ServerProcess.python("http_test_server.py")
        let chunks = Mutex((1...50).map { Data(repeating: UInt8($0), count: 10_000 + $0) })
        let expected = chunks.withLock { $0.reduce(Data(), +) }
        let echo = try await echo(server, method: "POST", body: .stream(length: nil) {
            chunks.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        })
        #expect(echo.headers["transfer-encoding"] == "chunked")
        #expect(echo.body == expected)
    }

    @Test func methodsWithoutBodies() async throws {
        let server = try await ServerProcess.python("http_test_server.py")
        let post = try await echo(server, method: "POST", body: .empty)
        #expect(post.headers["content-length"] == "0", "an empty POST still says how long it is")
        #expect(try await echo(server, method: "DELETE", body: .empty).method == "DELETE")
        let head = try await client.send(HTTPRequest(method: "HEAD", url: server.baseURL.appending(path: "status/200")))
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(head.headers["content-length"] == "10")
    }

    @Test func streamsSuccessfulResponsesToTheSinkAndCollectsErrors() async throws {
        let server = try await ServerProcess.python("http_test_server.py")
        let received = Mutex(Data())
        let chunks = Mutex(0)
        let request = { (path: String) in
            HTTPRequest(url: URL(string: server.baseURL.absoluteString + path)!, responseSink: { data in
                received.withLock { $0.append(data) }
                chunks.withLock { $0 += 1 }
            })
        }
        let response = try await client.send(request("/bytes?n=5000000"))
        #expect(response.status == 200)
        #expect(response.body.isEmpty)
        #expect(received.withLock { $0 } == Data((0..<5_000_000).map { UInt8($0 % 251) }))
        #expect(chunks.withLock { $0 } > 1, "the body arrives in pieces, not at once")

        received.withLock { $0 = Data() }
        let failed = try await client.send(request("/status/404"))
        #expect(failed.status == 404)
        #expect(String(decoding: failed.body, as: UTF8.self) == "status 404")
        #expect(received.withLock { $0.isEmpty })
    }

    @Test func aThrowingSinkAbortsTheTransferWithItsError() async throws {
        struct DiskFull: Error {}
        let server = try await ServerProcess.python("http_test_server.py")
        await #expect(throws: DiskFull.self) {
            try await client.send(HTTPRequest(url: URL(string: server.baseURL.absoluteString + "/bytes?n=1000000")!,
                                              responseSink: { _ in throw DiskFull() }))
        }
    }

    @Test func transferFailuresAreTypedAndSayWhetherToRetry() async throws {
        let server = try await ServerProcess.python("http_test_server.py")
        let quick = HTTPClient(configuration: .init(requestTimeout: .milliseconds(300)))
        let timeout = await #expect(throws: HTTPError.self) {
            try await quick.send(HTTPRequest(url: URL(string: server.baseURL.absoluteString + "/slow?s=10&token=secret")!))
        }
        #expect(timeout?.kind == .timeout)
        #expect(timeout?.isRetryable == true)
        #expect(timeout?.description.contains("secret") == false, "query strings stay out of errors")

        let dropped = await #expect(throws: HTTPError.self) {
            try await client.send(HTTPRequest(url: server.baseURL.appending(path: "drop")))
        }
        #expect(dropped?.kind == .connectionReset)
        #expect(dropped?.isRetryable == true)

        let closedPort = try ClosedLoopbackPort()
        let refused = await #expect(throws: HTTPError.self) {
            try await client.send(HTTPRequest(url: URL(string: "http://127.0.0.1:\(closedPort.port)/")!))
        }
        #expect(refused?.kind == .connectionRefused)

        let invalid = await #expect(throws: HTTPError.self) {
            try await client.send(HTTPRequest(url: URL(string: "gopher2://127.0.0.1/")!))
        }
        #expect(invalid?.isRetryable == false)
    }

    @Test func cancellingTheTaskAbortsTheTransfer() async throws {
        let server = try await ServerProcess.python("http_test_server.py")
        let active = { try await String(decoding: client.send(HTTPRequest(url: server.baseURL.appending(path: "active"))).body, as: UTF8.self) }
        let slow = Task { try await client.send(HTTPRequest(url: URL(string: server.baseURL.absoluteString + "/slow?s=120")!)) }
        try await eventually("the slow request reaches the server") { try await active() == "1" }
        slow.cancel()
        await #expect(throws: CancellationError.self) { try await slow.value }
        try await eventually("the server sees the client hang up") { try await active() == "0" }
    }

    @Test func manyConcurrentRequestsShareTheThreads() async throws {
        let server = try await ServerProcess.python("http_test_server.py")
        let small = HTTPClient(configuration: .init(maxConcurrentTransfers: 3))
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<40 {
                group.addTask { try await small.send(HTTPRequest(url: server.baseURL.appending(path: "status/\(200 + i % 4)"))).status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.sorted() == (0..<40).map { 200 + $0 % 4 }.sorted())
    }

    @Test func aRequestSentAsThePreviousOneEndsReusesItsThreadAndConnection() async throws {
        let server = try await ServerProcess.python("http_test_server.py")
        var ports: Set<Int> = []
        for _ in 0..<20 { ports.insert(try await echo(server, method: "PUT", body: .data(Data(count: 1000))).clientPort) }
        #expect(ports.count == 1, "one connection for requests one after another, not \(ports.count)")
    }
}
