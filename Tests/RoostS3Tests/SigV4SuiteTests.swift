import Foundation
import RoostHTTP
import RoostTestSupport
import Testing
@testable import RoostS3

/// The official AWS SigV4 test suite (aws-c-auth's copy): every case's canonical request, string
/// to sign and signature must match.
@Suite struct SigV4SuiteTests {
    static let suite = SharedTestData.path("aws-sig-v4-test-suite")

    static var cases: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: suite)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: "\(suite)/\($0)/request.txt") }.sorted()
    }

    struct Context: Decodable {
        struct Credentials: Decodable {
            let access_key_id: String
            let secret_access_key: String
            let token: String?
        }
        let credentials: Credentials
        let region: String
        let service: String
        let normalize: Bool
        let sign_body: Bool
        let timestamp: String
        let omit_session_token: Bool?
    }

    @Test(.enabled(if: SharedTestData.isPresent("aws-sig-v4-test-suite"), "no AWS vectors in ../shared/testdata"))
    func theSuiteIsComplete() {
        #expect(Self.cases.count >= 30, "expected the AWS vectors in \(Self.suite)")
    }

    @Test(arguments: cases) func vector(_ name: String) throws {
        let folder = "\(Self.suite)/\(name)"
        let read = { (file: String) in try String(contentsOfFile: "\(folder)/\(file)", encoding: .utf8) }
        let context = try JSONDecoder().decode(Context.self, from: Data(read("context.json").utf8))
        let request = try Self.parse(read("request.txt"))
        let signer = SigV4Signer(region: context.region, service: context.service, normalizesPath: context.normalize)
        let token = context.omit_session_token == true ? nil : context.credentials.token
        let credentials = AWSCredentials(accessKeyID: context.credentials.access_key_id,
                                         secretAccessKey: context.credentials.secret_access_key, sessionToken: token, source: "test")
        let date = try #require(ISO8601DateFormatter().date(from: context.timestamp))
        let signed = signer.sign(request, credentials: credentials, at: date, addsContentHash: context.sign_body)
        #expect(signed.canonicalRequest == (try read("header-canonical-request.txt")))
        #expect(signed.stringToSign == (try read("header-string-to-sign.txt")))
        #expect(signed.signature == (try read("header-signature.txt")).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// A raw HTTP request as the suite writes it: request line, headers (indented lines continue
    /// the previous value), blank line, body.
    static func parse(_ text: String) throws -> SigV4Signer.Request {
        let parts = text.components(separatedBy: "\n\n")
        var lines = parts[0].components(separatedBy: "\n")
        let requestLine = lines.removeFirst()
        let method = String(requestLine.prefix { $0 != " " })
        let target = requestLine.dropFirst(method.count + 1).dropLast(" HTTP/1.1".count)
        let (rawPath, rawQuery) = target.firstIndex(of: "?").map { (target[..<$0], target[target.index(after: $0)...]) } ?? (target, "")
        var headers: [(name: String, value: String)] = []
        for line in lines where !line.isEmpty {
            if line.first == " " || line.first == "\t" {
                headers[headers.count - 1].value += " " + line
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
        }
        let query = rawQuery.split(separator: "&").map { pair in
            let (name, value) = pair.firstIndex(of: "=").map { (pair[..<$0], pair[pair.index(after: $0)...]) } ?? (pair, "")
            return (name: String(name).removingPercentEncoding!, value: String(value).removingPercentEncoding!)
        }
        let body = parts.dropFirst().joined(separator: "\n\n")
        return SigV4Signer.Request(method: method, path: String(rawPath).removingPercentEncoding ?? String(rawPath), query: query,
                                   headers: HTTPHeaders(headers), payloadHash: Digest.sha256(Array(body.utf8)).hex)
    }
}
