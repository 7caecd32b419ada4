import Foundation
import Logging
import RoostCore
import RoostHTTP

/// The X API v2 over RoostHTTP: app-only bearer auth, pagination to the end, rate limits waited out,
/// server and network errors retried with backoff (`XPaginationMachine` decides; this class only
/// executes), 401/403 failing at once. The token goes into the Authorization header and nowhere else.
public final class XAPIClient: Sendable {
    public struct Configuration: Sendable {
        public var baseURL: URL
        public var token: XBearerToken
        public var fields: XFieldSelection
        public var backoff: Backoff
        public var requestTimeout: Duration

        public init(baseURL: URL, token: XBearerToken, fields: XFieldSelection = XFieldSelection(),
                    backoff: Backoff = Backoff(initial: .milliseconds(250), maximum: .seconds(30), maxAttempts: 6),
                    requestTimeout: Duration = .seconds(30)) {
            self.baseURL = baseURL
            self.token = token
            self.fields = fields
            self.backoff = backoff
            self.requestTimeout = requestTimeout
        }
    }

    /// One page as fetched: the decoded body, its number (from 1) and the window it left.
    public struct Page: Sendable {
        public let number: Int
        public let body: XPage
        public let rateLimit: XRateLimit?
        public let bytes: Int
    }

    /// What walking an endpoint took.
    public struct Summary: Sendable, Equatable {
        public var pages = 0
        public var rateLimitWaits = 0
        public var retries = 0
        public var partialErrors = 0

        public init(pages: Int = 0, rateLimitWaits: Int = 0, retries: Int = 0, partialErrors: Int = 0) {
            self.pages = pages
            self.rateLimitWaits = rateLimitWaits
            self.retries = retries
            self.partialErrors = partialErrors
        }
    }

    public let configuration: Configuration
    let http: HTTPClient
    let logger: Logger
    let clock: XClock

    public init(configuration: Configuration, http: HTTPClient, logger: Logger, clock: XClock = .system) {
        self.configuration = configuration
        self.http = http
        self.logger = logger
        self.clock = clock
    }

    /// Fetches every page of `endpoint` within `window`, newest first, handing each to `onPage`
    /// before asking for the next. No wait ends after `deadline`.
    public func fetchTweets(_ endpoint: XTweetsEndpoint, window: XFetchWindow, maxResults: Int, deadline: Date?,
                            onPage: (Page) async throws -> Void) async throws -> Summary {
        let fixed = endpoint.fixedQueryItems + window.queryItems.map { ($0.name, $0.value) }
            + [("max_results", String(maxResults))] + configuration.fields.queryItems
        return try await walk(endpoint.path, deadline: deadline, paginated: true, onPage: onPage) { token in
            token.map { fixed + [(endpoint.pageTokenParameter, $0)] } ?? fixed
        }
    }

    /// `GET /2/users/by/username/:username`: the user object as the API sent it.
    public func user(username: String, deadline: Date?) async throws -> JSONValue {
        var found: XPage?
        let fields = [("user.fields", configuration.fields.userFields.joined(separator: ","))]
        _ = try await walk("/2/users/by/username/\(username)", deadline: deadline, paginated: false,
                           onPage: { found = $0.body }, query: { _ in fields })
        guard let user = found?.data.first?.value, user != .null else {
            throw XAPIError.userNotFound(username: username, problem: found?.errors.first)
        }
        return user
    }

    /// Executes the pagination machine's actions against `path`.
    private func walk(_ path: String, deadline: Date?, paginated: Bool, onPage: (Page) async throws -> Void,
                      query: (String?) -> [(String, String)]) async throws -> Summary {
        var machine = XPaginationMachine(deadline: deadline, backoff: configuration.backoff)
        var partialErrors = 0
        var random = SystemRandomNumberGenerator()
        var action = machine.start()
        while true {
            switch action {
            case .fetch(let token):
                let number = machine.pages + 1
                switch try await get(path, query: query(token), page: number) {
                case .page(let body, let rateLimit, let bytes):
                    partialErrors += report(body.errors, endpoint: path, page: number)
                    try await onPage(Page(number: number, body: body, rateLimit: rateLimit, bytes: bytes))
                    action = machine.pageReceived(nextToken: paginated ? body.meta.nextToken : nil, rateLimit: rateLimit,
                                                  now: clock.now())
                case .rateLimited(let reset):
                    action = machine.rateLimited(reset: reset, now: clock.now())
                case .transient(let error):
                    logger.warning("X API request failed, will retry", metadata: ["endpoint": "\(path)", "page": "\(number)",
                                                                                  "error": "\(error)"])
                    action = machine.transientFailure(error, now: clock.now(), using: &random)
                }
            case .wait(let until, let reason):
                logger.info("waiting for the X API", metadata: ["endpoint": "\(path)", "until": "\(until.formatted(.iso8601))",
                                                               "reason": "\(reason)"])
                try await clock.sleep(until)
                action = machine.waitEnded()
            case .finished:
                return Summary(pages: machine.pages, rateLimitWaits: machine.rateLimitWaits, retries: machine.retries,
                               partialErrors: partialErrors)
            case .fail(let failure):
                throw XAPIError.gaveUp(endpoint: "GET \(path)", page: machine.pages + 1, reason: failure)
            }
        }
    }

    private enum Outcome {
        case page(XPage, XRateLimit?, bytes: Int)
        case rateLimited(reset: Date?)
        case transient(String)
    }

    private func get(_ path: String, query: [(String, String)], page: Int) async throws -> Outcome {
        let endpoint = "GET \(path)"
        let request = authorizedRequest(url: url(path, query))
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch let error as HTTPError where error.isRetryable {
            return .transient(error.description)
        }
        let rateLimit = XRateLimit(response)
        switch response.status {
        case 200..<300:
            do {
                return .page(try XPage.decode(response.body, what: "\(endpoint) page \(page)"), rateLimit, bytes: response.body.count)
            } catch {
                throw XAPIError.malformed(error)
            }
        case 429:
            logger.notice("X API rate limit reached", metadata: ["endpoint": "\(path)",
                                                                 "reset": "\(rateLimit?.reset.formatted(.iso8601) ?? "unknown")"])
            return .rateLimited(reset: rateLimit?.reset)
        case 500..<600:
            return .transient("HTTP \(response.status)")
        default:
            throw refusal(response, endpoint: endpoint)
        }
    }

    /// A request to the API with the bearer token, asking for JSON.
    func authorizedRequest(method: String = "GET", url: URL, body: HTTPRequest.Body = .empty, timeout: Duration? = nil) -> HTTPRequest {
        var request = HTTPRequest(method: method, url: url, body: body, timeout: timeout ?? configuration.requestTimeout)
        request.headers["Authorization"] = configuration.token.authorizationHeader
        request.headers["Accept"] = "application/json"
        return request
    }

    /// The error a 4xx answer (other than 429) means: the request or its credential is wrong.
    func refusal(_ response: HTTPResponse, endpoint: String) -> XAPIError {
        switch response.status {
        case 401: .unauthorized(endpoint: endpoint, tokenOrigin: configuration.token.origin, problem: problem(response.body))
        case 403: .forbidden(endpoint: endpoint, tokenOrigin: configuration.token.origin, problem: problem(response.body))
        default: .rejected(endpoint: endpoint, status: response.status, problem: problem(response.body))
        }
    }

    /// The problem an error body describes: RFC 7807 style, or the first of an `errors` list.
    func problem(_ body: Data) -> XProblem? {
        guard let json = try? JSONValue.parse(body) else { return nil }
        if json["title"] == nil, json["detail"] == nil, let first = json["errors"]?.arrayValue?.first { return XProblem(json: first) }
        return XProblem(json: json)
    }

    /// Partial errors of a 200 response: logged, counted, not fatal.
    private func report(_ errors: [XProblem], endpoint: String, page: Int) -> Int {
        for error in errors {
            logger.warning("X API partial error", metadata: ["endpoint": "\(endpoint)", "page": "\(page)", "error": "\(error)"])
        }
        return errors.count
    }

    func url(_ path: String, _ query: [(String, String)]) -> URL {
        // Only unreserved characters stay as they are: a `+` in a search query must reach the API as %2B.
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let encoded = query.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "")"
        }.joined(separator: "&")
        var base = configuration.baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return URL(string: base + path + (encoded.isEmpty ? "" : "?" + encoded))!
    }
}

extension XRateLimit {
    init?(_ response: HTTPResponse) {
        self.init(headers: Dictionary(response.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { _, last in last }))
    }
}

/// Time as the client sees it: injected so a test could drive waits, real everywhere else.
public struct XClock: Sendable {
    public var now: @Sendable () -> Date
    public var sleep: @Sendable (Date) async throws -> Void

    public init(now: @escaping @Sendable () -> Date, sleep: @escaping @Sendable (Date) async throws -> Void) {
        self.now = now
        self.sleep = sleep
    }

    public static let system = XClock(now: { Date() }, sleep: { until in
        let seconds = until.timeIntervalSinceNow
        if seconds > 0 { try await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up)))) }
    })
}
