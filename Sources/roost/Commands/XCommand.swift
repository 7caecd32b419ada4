import ArgumentParser
import Foundation
import RoostCore
import RoostRuntime
import RoostTwitter

/// `roost x …`: the X API itself, with the bearer token the workers use.
struct XCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "x", abstract: "Work with the X API v2 directly (twitter.* in the config).",
        subcommands: [Rules.self])

    struct Rules: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rules", abstract: "List, add and delete the filtered stream's rules.",
            subcommands: [List.self, Add.self, Delete.self])
    }
}

extension XCommand.Rules {
    static func client(_ global: GlobalOptions) throws -> XAPIClient {
        guard let client = TaskRegistry.xClient(try global.bootstrap()) else {
            throw ValidationError("twitter.bearer_token is not set (X_BEARER_TOKEN, ROOST_TWITTER_BEARER_TOKEN or bearer_token_file)")
        }
        return client
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Print the stream's rules: id, value, tag.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            for rule in try await XCommand.Rules.client(global).streamRules() {
                print([rule.id ?? "-", rule.value, rule.tag ?? ""].joined(separator: "\t"))
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Add a rule; the API's validation errors are shown as they come back.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The rule, in the X filtered stream's query syntax.") var value: String
        @Option(help: "A tag the matching tweets carry.") var tag: String?
        @Flag(help: "Only ask the API to validate the rule.") var dryRun = false

        func run() async throws {
            let change = try await XCommand.Rules.client(global).addStreamRules([XStreamRule(value: value, tag: tag)], dryRun: dryRun)
            for problem in change.problems { print("\(problem.value ?? value): \(problem)") }
            if dryRun {
                print("valid: \(value)")
            } else {
                for rule in change.created { print("added \(rule.id ?? "-")\t\(rule.value)\t\(rule.tag ?? "")") }
            }
            if !dryRun && change.created.isEmpty { throw ExitCode.failure }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete rules by id.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Rule ids, as `roost x rules list` prints them.") var ids: [String]

        func validate() throws {
            if ids.isEmpty { throw ValidationError("name at least one rule id") }
        }

        func run() async throws {
            let change = try await XCommand.Rules.client(global).deleteStreamRules(ids: ids)
            for problem in change.problems { print("\(problem.value ?? "?"): \(problem)") }
            print("deleted \(change.summary["deleted"] ?? 0) of \(ids.count)")
            if change.summary["deleted"] != ids.count { throw ExitCode.failure }
        }
    }
}
