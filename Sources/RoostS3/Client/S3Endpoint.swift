import Foundation

/// Where a bucket and key live: virtual-hosted (`bucket.host/key`) or path-style (`host/bucket/key`),
/// on AWS or on an endpoint override.
struct S3Endpoint: Sendable {
    let scheme: String
    let host: String
    let port: Int?
    let pathStyle: Bool

    init(_ configuration: S3Configuration) {
        let endpoint = configuration.endpoint ?? URL(string: "https://s3.\(configuration.region).amazonaws.com")!
        scheme = endpoint.scheme ?? "https"
        host = endpoint.host ?? "s3.amazonaws.com"
        port = endpoint.port
        pathStyle = configuration.pathStyle
    }

    struct Location: Sendable {
        let url: URL
        /// The Host header: host, with the port unless it is the scheme's default.
        let host: String
        /// The decoded path the signature covers.
        let path: String
    }

    func locate(bucket: String?, key: String?, query: [(name: String, value: String)]) -> Location {
        var host = self.host
        var path = "/"
        if let bucket {
            if pathStyle { path += bucket + (key == nil ? "" : "/") } else { host = "\(bucket).\(host)" }
        }
        path += key ?? ""
        let defaultPort = scheme == "https" ? 443 : 80
        let hostHeader = port.map { $0 == defaultPort ? host : "\(host):\($0)" } ?? host
        // "?uploads", not "?uploads=": some S3-compatible stores only see the bare form (the
        // signature covers "uploads=" either way).
        let queryText = query.map { AWSURI.encode($0.name) + ($0.value.isEmpty ? "" : "=" + AWSURI.encode($0.value)) }.joined(separator: "&")
        let url = URL(string: "\(scheme)://\(hostHeader)\(AWSURI.encode(path, keepingSlashes: true))" + (queryText.isEmpty ? "" : "?\(queryText)"))!
        return Location(url: url, host: hostHeader, path: path)
    }
}
