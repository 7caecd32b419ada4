import Foundation
import RoostCore
import RoostHTTP

/// `GET/POST /2/tweets/search/stream/rules`: the rules that decide what the filtered stream sends.
extension XAPIClient {
    public static let streamRulesPath = "/2/tweets/search/stream/rules"

    /// What a rules change did: the rules created (with their ids), and what the API counted.
    public struct StreamRulesChange: Sendable {
        public let created: [XStreamRule]
        public let summary: [String: Int]
        /// Problems with rules that were otherwise acceptable (a duplicate, an unknown id to delete).
        public let problems: [XProblem]
    }

    public func streamRules() async throws -> [XStreamRule] {
        let body = try await rulesRequest(method: "GET", query: [], body: nil)
        return body["data"]?.arrayValue?.compactMap(XStreamRule.init(json:)) ?? []
    }

    /// Adds `rules`; with `dryRun` the API only validates them. Invalid rules throw
    /// `XAPIError.invalidRules` with the API's reasons, and then none is added.
    public func addStreamRules(_ rules: [XStreamRule], dryRun: Bool = false) async throws -> StreamRulesChange {
        let add: [JSONValue] = rules.map { rule in
            .object(["value": .string(rule.value)].merging(rule.tag.map { ["tag": .string($0)] } ?? [:]) { a, _ in a })
        }
        return try change(await rulesRequest(method: "POST", query: dryRun ? [("dry_run", "true")] : [],
                                             body: .object(["add": .array(add)])))
    }

    public func deleteStreamRules(ids: [String]) async throws -> StreamRulesChange {
        try change(await rulesRequest(method: "POST", query: [],
                                      body: .object(["delete": .object(["ids": .array(ids.map(JSONValue.string))])])))
    }

    /// Makes the stream's rules `declared`: adds the missing, deletes the extra, leaves the rest.
    @discardableResult
    public func reconcileStreamRules(_ declared: [XStreamRule]) async throws -> XStreamRulePlan {
        let plan = XStreamRulePlan(declared: declared, existing: try await streamRules())
        // Deletes first: the API refuses a rule whose value exists already, so a re-tagged rule
        // must go before it comes back.
        let ids = plan.delete.compactMap(\.id)
        if !ids.isEmpty { _ = try await deleteStreamRules(ids: ids) }
        if !plan.add.isEmpty { _ = try await addStreamRules(plan.add) }
        logger.info("X stream rules reconciled", metadata: ["added": "\(plan.add.count)", "deleted": "\(plan.delete.count)",
                                                            "kept": "\(declared.count - plan.add.count)"])
        return plan
    }

    private func change(_ body: JSONValue) throws -> StreamRulesChange {
        // The API puts a rule's reasons in `details`, a list.
        let problems = (body["errors"]?.arrayValue ?? []).map { json in
            var problem = XProblem(json: json)
            if let details = json["details"]?.arrayValue?.compactMap(\.stringValue), !details.isEmpty {
                problem.detail = details.joined(separator: "; ")
            }
            return problem
        }
        let summary = (body["meta"]?["summary"]?.objectValue ?? [:]).compactMapValues { $0.intValue.map(Int.init) }
        if summary["invalid", default: 0] > 0 {
            throw XAPIError.invalidRules(problems.filter { $0.title != "DuplicateRule" })
        }
        return StreamRulesChange(created: body["data"]?.arrayValue?.compactMap(XStreamRule.init(json:)) ?? [],
                                 summary: summary, problems: problems)
    }

    private func rulesRequest(method: String, query: [(String, String)], body: JSONValue?) async throws -> JSONValue {
        let endpoint = "\(method) \(Self.streamRulesPath)"
        var request = authorizedRequest(method: method, url: url(Self.streamRulesPath, query),
                                        body: try body.map { .data(try JSONEncoder().encode($0)) } ?? .empty)
        if body != nil { request.headers["Content-Type"] = "application/json" }
        let response = try await http.send(request)
        guard (200..<300).contains(response.status) else { throw refusal(response, endpoint: endpoint) }
        do {
            return try JSONValue.parse(response.body)
        } catch {
            throw XAPIError.rejected(endpoint: endpoint, status: response.status, problem: XProblem(detail: "the answer is not JSON"))
        }
    }
}
