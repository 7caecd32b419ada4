import ArgumentParser
import RoostCore

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Inspect the configuration.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate the config and print the effective values (secrets redacted) with their sources.")

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let config = try global.loadConfig()
            for line in config.redactedLines() { print(line) }
        }
    }
}
