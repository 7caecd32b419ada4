import CCurl
import Foundation
import Synchronization

/// One request in flight: libcurl's callbacks reach it through their opaque pointer, and it
/// collects the response and resumes the waiting `send` exactly once.
final class CurlTransfer: @unchecked Sendable {
    // @unchecked Sendable: `continuation` is set before the transfer is queued (the queue's lock
    // orders that write before the pool thread reads it); everything else mutable is touched only
    // by the one pool thread running the transfer. `cancelled` is atomic.
    let request: HTTPRequest
    private let configuration: HTTPClient.Configuration
    private let cancelled = Atomic<Bool>(false)
    var continuation: CheckedContinuation<HTTPResponse, Error>?
    private var reader: BodyReader?
    private var status = 0
    private var headers = HTTPHeaders()
    private var body = Data()
    /// An error thrown by the body source or response sink, which aborts the transfer.
    private var callbackError: Error?

    init(request: HTTPRequest, configuration: HTTPClient.Configuration) {
        self.request = request
        self.configuration = configuration
    }

    /// Aborts the transfer within about a second (libcurl's progress callback period).
    func cancel() { cancelled.store(true, ordering: .relaxed) }

    private var result: Result<HTTPResponse, Error>?

    /// Runs the transfer on a pool thread; `resume` then hands the outcome to `send`.
    func perform(on easy: CurlEasy) {
        result = cancelled.load(ordering: .relaxed) ? .failure(CancellationError()) : Result { try run(easy) }
        reader = nil
    }

    func resume() {
        if let result { continuation?.resume(with: result) }
        continuation = nil
        result = nil
    }

    private func run(_ easy: CurlEasy) throws -> HTTPResponse {
        try easy.reset()
        let reader = try BodyReader(request.body)
        self.reader = reader
        try configure(easy, bodyLength: reader.length)
        let code = easy.perform()
        if cancelled.load(ordering: .relaxed) { throw CancellationError() }
        if let callbackError { throw callbackError }
        guard code == CURLE_OK else {
            throw HTTPError(kind: HTTPError.kind(of: code), method: request.method, url: request.url, detail: easy.message(for: code))
        }
        return HTTPResponse(status: status, headers: headers, body: body)
    }

    private func configure(_ easy: CurlEasy, bodyLength: UInt64?) throws {
        try easy.set(CURLOPT_URL, request.url.absoluteString)
        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, configuration.connectTimeout.wholeMilliseconds)
        try easy.set(CURLOPT_TIMEOUT_MS, (request.timeout ?? configuration.requestTimeout).wholeMilliseconds)
        try easy.set(CURLOPT_TCP_KEEPALIVE, 1)
        // Larger than libcurl's 64 KiB (upload) and 16 KiB (download) defaults: fewer callbacks and
        // syscalls for multi-megabyte bodies such as S3 parts.
        try easy.set(CURLOPT_UPLOAD_BUFFERSIZE, 2 * 1024 * 1024)
        try easy.set(CURLOPT_BUFFERSIZE, 512 * 1024)
        try easy.set(CURLOPT_USERAGENT, configuration.userAgent)
        try configureMethod(easy, bodyLength: bodyLength)

        let context = Unmanaged.passUnretained(self).toOpaque()
        for option in [CURLOPT_HEADERDATA, CURLOPT_WRITEDATA, CURLOPT_READDATA, CURLOPT_XFERINFODATA, CURLOPT_SEEKDATA] {
            try easy.set(option, context)
        }
        try easy.set(CURLOPT_HEADERFUNCTION) { bytes, size, count, context in
            CurlTransfer.from(context).receiveHeader(UnsafeRawBufferPointer(start: bytes, count: size * count))
        }
        try easy.set(CURLOPT_WRITEFUNCTION) { bytes, size, count, context in
            CurlTransfer.from(context).receiveBody(UnsafeRawBufferPointer(start: bytes, count: size * count))
        }
        try easy.set(CURLOPT_READFUNCTION) { bytes, size, count, context in
            CurlTransfer.from(context).sendBody(into: UnsafeMutableRawBufferPointer(start: bytes, count: size * count))
        }
        // libcurl rewinds the body when it resends on a fresh connection (a reused one was closed).
        try easy.setSeekCallback { context, offset, origin in
            guard origin == SEEK_SET, CurlTransfer.from(context).reader?.rewind(to: UInt64(offset)) == true else {
                return 2  // CURL_SEEKFUNC_CANTSEEK
            }
            return 0  // CURL_SEEKFUNC_OK
        }
        try easy.set(CURLOPT_NOPROGRESS, 0)
        try easy.setProgressCallback { context, _, _, _, _ in
            CurlTransfer.from(context).cancelled.load(ordering: .relaxed) ? 1 : 0
        }

        var lines = request.headers.map { $0.value.isEmpty ? "\($0.name);" : "\($0.name): \($0.value)" }
        // libcurl would wait for "100 Continue" before large bodies: a round trip for nothing.
        if request.headers["Expect"] == nil { lines.append("Expect:") }
        try easy.setHeaders(lines)
    }

    /// PUT and POST always upload (an empty body as Content-Length: 0); HEAD asks for no body.
    private func configureMethod(_ easy: CurlEasy, bodyLength: UInt64?) throws {
        let method = request.method.uppercased()
        let hasBody = method == "PUT" || method == "POST" || bodyLength != 0
        if hasBody {
            try easy.set(CURLOPT_UPLOAD, 1)
            if let bodyLength { try easy.setSize(CURLOPT_INFILESIZE_LARGE, bodyLength) }
            if method != "PUT" { try easy.set(CURLOPT_CUSTOMREQUEST, method) }
        } else if method == "HEAD" {
            try easy.set(CURLOPT_NOBODY, 1)
        } else if method != "GET" {
            try easy.set(CURLOPT_CUSTOMREQUEST, method)
        }
    }

    private static func from(_ context: UnsafeMutableRawPointer?) -> CurlTransfer {
        Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
    }

    private func receiveHeader(_ bytes: UnsafeRawBufferPointer) -> Int {
        let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("HTTP/") {
            // A new status line (after "100 Continue" or an interim response) starts afresh.
            let parts = line.split(separator: " ")
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers = HTTPHeaders()
        } else if let colon = line.firstIndex(of: ":") {
            headers.add(String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                        String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }
        return bytes.count
    }

    private func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard let sink = request.responseSink, (200..<300).contains(status) else {
            body.append(contentsOf: bytes)
            return bytes.count
        }
        do {
            try sink(Data(bytes))
            return bytes.count
        } catch {
            callbackError = error
            return 0  // libcurl aborts with CURLE_WRITE_ERROR
        }
    }

    private func sendBody(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        do {
            return try reader?.read(into: buffer) ?? 0
        } catch {
            callbackError = error
            return 0x1000_0000  // CURL_READFUNC_ABORT
        }
    }
}

extension Duration {
    var wholeMilliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
