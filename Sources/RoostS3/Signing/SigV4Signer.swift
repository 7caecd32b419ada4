import Foundation
import RoostHTTP

/// AWS Signature Version 4 (header form). Pure: the caller gives the time and the credentials.
///
/// Paths and query items are given decoded; the signer encodes them as AWS does (RFC 3986,
/// unreserved characters kept), so the URL the client sends must be built with `AWSURI.encode` too.
/// S3 signs the path as it is; other services normalize it first (`normalizesPath`).
public struct SigV4Signer: Sendable {
    public let region: String
    public let service: String
    public let normalizesPath: Bool

    public init(region: String, service: String, normalizesPath: Bool? = nil) {
        self.region = region
        self.service = service
        self.normalizesPath = normalizesPath ?? (service != "s3")
    }

    /// What gets signed. `headers` must include `Host`.
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var query: [(name: String, value: String)]
        public var headers: HTTPHeaders
        /// Hex SHA-256 of the body, or "UNSIGNED-PAYLOAD".
        public var payloadHash: String

        public init(method: String, path: String, query: [(name: String, value: String)] = [], headers: HTTPHeaders,
                    payloadHash: String) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadHash = payloadHash
        }
    }

    /// The signed headers and the intermediate texts, which tests compare with AWS's.
    public struct Signature: Sendable {
        public let headers: HTTPHeaders
        public let canonicalRequest: String
        public let stringToSign: String
        public let signature: String
    }

    /// Adds `X-Amz-Date`, `X-Amz-Security-Token` (session credentials) and `Authorization`.
    /// With `addsContentHash`, also `X-Amz-Content-SHA256` (S3 requires it).
    public func sign(_ request: Request, credentials: AWSCredentials, at date: Date, addsContentHash: Bool = false) -> Signature {
        let timestamp = Self.timestamp(date)
        let day = String(timestamp.prefix(8))
        var headers = request.headers
        headers["X-Amz-Date"] = timestamp
        if let token = credentials.sessionToken { headers["X-Amz-Security-Token"] = token }
        if addsContentHash { headers["X-Amz-Content-SHA256"] = request.payloadHash }

        let (canonicalHeaders, signedHeaders) = Self.canonicalHeaders(headers)
        let canonicalRequest = [
            request.method.uppercased(), canonicalPath(request.path), Self.canonicalQuery(request.query),
            canonicalHeaders, signedHeaders, request.payloadHash,
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", timestamp, scope, Digest.sha256(Array(canonicalRequest.utf8)).hex]
            .joined(separator: "\n")
        let signature = Digest.hmacSHA256(key: signingKey(credentials.secretAccessKey, day: day), Array(stringToSign.utf8)).hex
        headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return Signature(headers: headers, canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature)
    }

    private func signingKey(_ secret: String, day: String) -> [UInt8] {
        [day, region, service, "aws4_request"].reduce(Array("AWS4\(secret)".utf8)) { key, part in
            Digest.hmacSHA256(key: key, Array(part.utf8))
        }
    }

    func canonicalPath(_ path: String) -> String {
        let path = path.isEmpty ? "/" : path
        return AWSURI.encode(normalizesPath ? Self.normalized(path) : path, keepingSlashes: true)
    }

    /// Removes "." and ".." segments and empty segments, keeping a trailing slash.
    static func normalized(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(segment)
            }
        }
        let trailing = path.hasSuffix("/") && !segments.isEmpty ? "/" : ""
        return "/" + segments.joined(separator: "/") + trailing
    }

    static func canonicalQuery(_ items: [(name: String, value: String)]) -> String {
        let encoded: [(name: String, value: String)] = items.map { (AWSURI.encode($0.name), AWSURI.encode($0.value)) }
        let sorted = encoded.sorted { $0.name == $1.name ? $0.value < $1.value : $0.name < $1.name }
        return sorted.map { $0.name + "=" + $0.value }.joined(separator: "&")
    }

    /// Lower-cased names, sorted; repeated names joined with commas; values trimmed with inner
    /// runs of whitespace collapsed to one space.
    static func canonicalHeaders(_ headers: HTTPHeaders) -> (canonical: String, signed: String) {
        var merged: [String: [String]] = [:]
        for field in headers {
            let words = field.value.split(whereSeparator: \.isWhitespace)
            merged[field.name.lowercased(), default: []].append(words.joined(separator: " "))
        }
        let names = merged.keys.sorted()
        let canonical = names.map { "\($0):\(merged[$0]!.joined(separator: ","))\n" }.joined()
        return (canonical, names.joined(separator: ";"))
    }

    static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }
}

/// URI encoding as AWS signs it: every byte except A–Z a–z 0–9 - . _ ~ (and / in paths) as %XX.
public enum AWSURI {
    public static func encode(_ text: String, keepingSlashes: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepingSlashes:
                out.append("/")
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}
