import RoostCore

/// Why an X API call failed. Descriptions name the endpoint (and page) and, for a refused
/// credential, where the token came from, never the token.
public enum XAPIError: Error, Sendable, CustomStringConvertible {
    /// 401: the token is wrong, revoked or missing.
    case unauthorized(endpoint: String, tokenOrigin: String, problem: XProblem?)
    /// 403: the token is valid but its app may not use this endpoint (access level, project).
    case forbidden(endpoint: String, tokenOrigin: String, problem: XProblem?)
    /// Another 4xx: the request itself is wrong (a bad query, an out-of-range parameter).
    case rejected(endpoint: String, status: Int, problem: XProblem?)
    /// Rate limits, 5xx or network errors outlasted the retries or the task's timeout.
    case gaveUp(endpoint: String, page: Int, reason: XPaginationMachine.Failure)
    case malformed(XDecodeError)
    case userNotFound(username: String, problem: XProblem?)
    /// The API refused stream rules as written (each problem names the rule's value).
    case invalidRules([XProblem])

    public var description: String {
        func detail(_ problem: XProblem?) -> String { problem.map { " (\($0))" } ?? "" }
        switch self {
        case .unauthorized(let endpoint, let origin, let problem):
            return "\(endpoint): HTTP 401, the X API rejected the bearer token (\(origin))\(detail(problem)): "
                + "check that it is the app's current bearer token"
        case .forbidden(let endpoint, let origin, let problem):
            return "\(endpoint): HTTP 403, the bearer token (\(origin)) is valid but its app may not use this endpoint"
                + "\(detail(problem)): check the app's project and access level"
        case .rejected(let endpoint, let status, let problem):
            return "\(endpoint): HTTP \(status)\(detail(problem))"
        case .gaveUp(let endpoint, let page, let reason):
            return "\(endpoint) page \(page): \(reason)"
        case .malformed(let error):
            return error.description
        case .userNotFound(let username, let problem):
            return "user @\(username) not found\(detail(problem))"
        case .invalidRules(let problems):
            return "the X API refused the stream rules: " + problems.map { "\($0.value.map { "\"\($0)\"" } ?? "?"): \($0)" }.joined(separator: "; ")
        }
    }
}
